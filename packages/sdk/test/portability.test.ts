import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const SOURCE = fileURLToPath(new URL("../src/", import.meta.url));
const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

test("the SDK has no runtime dependencies", () => {
  expect(manifest.dependencies ?? {}).toEqual({});
});

test("the SDK's code imports only its own modules, so it runs wherever fetch does", () => {
  for (const file of readdirSync(SOURCE).filter((name) => name.endsWith(".ts"))) {
    const text = readFileSync(SOURCE + file, "utf8");
    const specifiers = [...text.matchAll(/\bfrom\s+"([^"]+)"/g)].map((match) => match[1]);
    for (const specifier of specifiers)
      expect(specifier, `${file} imports ${specifier}`).toMatch(/^\.\//);
    expect(text, file).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b/);
  }
});

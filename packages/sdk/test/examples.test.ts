import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const require = createRequire(import.meta.url);

test("the README's typed examples compile, and voice is a compile-time error", async () => {
  const tsc = require.resolve("typescript/bin/tsc");
  const project = fileURLToPath(new URL("../examples/tsconfig.json", import.meta.url));
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(process.execPath, [tsc, "-p", project], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
    });
  });
  expect(result.output).toBe("");
  expect(result.code).toBe(0);
}, 60_000);

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const CONSOLE = fileURLToPath(new URL("../..", import.meta.url));

let built: Promise<string> | undefined;
let users = 0;

/**
 * The console built from its current source into a directory of its own, as `npm run build`
 * does, so a test never serves a stale build and parallel runs never share one. The servers of
 * one test file share a build: the last to let it go removes it.
 */
export async function useConsoleBuild(): Promise<{ directory: string; release(): void }> {
  users++;
  built ??= build();
  const directory = await built;
  return {
    directory,
    release: () => {
      if (--users > 0) return;
      built = undefined;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function build(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), "tokenspace-console-"));
  const vite = join(
    dirname(createRequire(import.meta.url).resolve("vite/package.json")),
    "bin",
    "vite.js",
  );
  await new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      [vite, "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"],
      { cwd: CONSOLE },
      (error, stdout, stderr) => (error ? reject(new Error(`${stdout}${stderr}`)) : resolve()),
    ),
  );
  return outDir;
}

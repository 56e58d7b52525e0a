import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

/** Where compiled servers go: inside the repository, so that the native addon they leave out resolves. */
const OUTPUT_DIRECTORY = resolve("node_modules/.cache/tokenspace-bench");

/**
 * The node arguments that run the benchmark's server `bench/<name>.ts` as plain JavaScript, the
 * way Tokenspace itself runs (compiled, no loader): it is bundled into one file first. Run
 * through tsx instead, a server pays for tsx's loader on its hot path (the Fastify floor's
 * `process.nextTick` took V8's slow path on every call, about a quarter of its instructions under callgrind),
 * which would make the floors and the baseline cost more than they do.
 */
export async function compiledServer(name: string): Promise<string[]> {
  mkdirSync(OUTPUT_DIRECTORY, { recursive: true });
  const outfile = join(OUTPUT_DIRECTORY, `${name}.mjs`);
  await build({
    entryPoints: [`bench/${name}.ts`],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["tokenspace-source"],
    // A native addon cannot be bundled; it is loaded from node_modules as it is.
    external: ["better-sqlite3"],
    // The CommonJS packages bundled (Fastify's) `require` Node's own modules.
    banner: {
      js: "import { createRequire as bundledRequire } from 'node:module'; const require = bundledRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
  return [outfile];
}

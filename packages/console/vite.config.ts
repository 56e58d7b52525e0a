import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { defaultClientConditions, defineConfig, type Plugin } from "vite";

/**
 * Writes a Brotli and a gzip copy beside each built file, so the server sends compressed bytes
 * without compressing on every request.
 */
function precompress(): Plugin {
  return {
    name: "tokenspace-precompress",
    apply: "build",
    writeBundle(options, bundle) {
      const directory = options.dir ?? "dist";
      for (const fileName of [...Object.keys(bundle), "index.html"]) {
        if (!/\.(js|css|html|svg)$/.test(fileName)) continue;
        const path = join(directory, fileName);
        const content = readFileSync(path);
        writeFileSync(
          `${path}.br`,
          brotliCompressSync(content, {
            params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
          }),
        );
        writeFileSync(`${path}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  base: "/console/",
  // The SDK is compiled from its TypeScript source, as the tests run it.
  resolve: { conditions: ["tokenspace-source", ...defaultClientConditions] },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  plugins: [precompress()],
});

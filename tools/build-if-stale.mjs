#!/usr/bin/env node
// Builds the packages only when a source is newer than what the last build produced, so that
// `npm start` on a current build costs nothing (plain JavaScript: it runs before any build).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const at = (...parts) => join(root, "packages", ...parts);

/** The newest modification time under each path (files, or folders walked whole). */
function newest(paths) {
  let latest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stats = statSync(path);
    latest = Math.max(
      latest,
      stats.isDirectory()
        ? newest(readdirSync(path).map((entry) => join(path, entry)))
        : stats.mtimeMs,
    );
  }
  return latest;
}

const built = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);
const sourcesOf = (name) => [at(name, "src"), at(name, "package.json"), at(name, "tsconfig.json")];

const compiledStale = ["contract", "sdk", "server"].some(
  (name) => newest(sourcesOf(name)) > built(at(name, "tsconfig.tsbuildinfo")),
);
// The console bundles the SDK and the contract from their sources.
const consoleStale =
  newest([
    ...sourcesOf("console"),
    at("console", "index.html"),
    at("console", "vite.config.ts"),
    at("sdk", "src"),
    at("contract", "src"),
  ]) > built(at("console", "dist", "index.html"));

if (compiledStale || consoleStale) {
  process.stderr.write("Building Tokenspace (sources changed since the last build)…\n");
  execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "inherit" });
}

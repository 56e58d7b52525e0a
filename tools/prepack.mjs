#!/usr/bin/env node
// `npm pack` and `npm publish` of a workspace package: brings its build up to date, puts the
// repository's LICENSE beside it, and refuses to pack compiled output whose source is gone
// (tsc -b leaves such files behind when a source is moved or deleted).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";

const packageDirectory = process.cwd();
execFileSync("npm", ["run", "build", "--silent"], { cwd: packageDirectory, stdio: "inherit" });
copyFileSync(join(import.meta.dirname, "../LICENSE"), join(packageDirectory, "LICENSE"));

const dist = join(packageDirectory, "dist");
if (existsSync(join(dist, "index.d.ts"))) {
  const orphans = readdirSync(dist, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".js"))
    .filter((file) => !existsSync(join(packageDirectory, "src", file.replace(/\.js$/, ".ts"))))
    .map((file) => relative(packageDirectory, join(dist, file)));
  if (orphans.length > 0) {
    process.stderr.write(
      `Not packing: ${orphans.join(", ")} ${orphans.length === 1 ? "has" : "have"} no source any more. Delete dist and build again.\n`,
    );
    process.exit(1);
  }
}

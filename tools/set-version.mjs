#!/usr/bin/env node
// `npm run set-version -- 1.2.3`: the release's version, written into the root package.json,
// every workspace package and the exact pins between them, so they can never disagree.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const version = process.argv[2] ?? "";
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
  process.stderr.write("Usage: npm run set-version -- MAJOR.MINOR.PATCH[-PRERELEASE]\n");
  process.exit(2);
}
const root = join(import.meta.dirname, "..");
const manifests = [
  join(root, "package.json"),
  ...readdirSync(join(root, "packages")).map((name) =>
    join(root, "packages", name, "package.json"),
  ),
];
const workspaceNames = new Set(
  manifests.slice(1).map((file) => JSON.parse(readFileSync(file, "utf8")).name),
);
for (const file of manifests) {
  const manifest = JSON.parse(readFileSync(file, "utf8"));
  manifest.version = version;
  for (const field of ["dependencies", "devDependencies", "peerDependencies"]) {
    for (const name of Object.keys(manifest[field] ?? {})) {
      if (workspaceNames.has(name)) manifest[field][name] = version;
    }
  }
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}
process.stdout.write(
  `Every package is now at ${version}; run npm install to update the lockfile.\n`,
);

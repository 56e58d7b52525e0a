import { readFileSync } from "node:fs";

/** The installed package's version: its package.json is the one place a version is set. */
export const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

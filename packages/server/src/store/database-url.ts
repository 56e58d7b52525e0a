import { resolve } from "node:path";
import { DatabaseUrlError } from "../domain/errors.js";

/**
 * Where a `sqlite:` DATABASE_URL keeps its database: a path resolved against the working
 * directory, or `:memory:`; undefined for any other kind of URL.
 */
export function sqliteLocation(databaseUrl: string): string | undefined {
  if (!databaseUrl.startsWith("sqlite:")) return undefined;
  const location = databaseUrl.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
  if (location === ":memory:") return location;
  if (location === "") {
    throw new DatabaseUrlError(
      "DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/tokenspace.db",
    );
  }
  return resolve(location);
}

/** Hides the password of a database URL, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

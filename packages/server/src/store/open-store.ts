import { dirname, resolve } from "node:path";
import { SqliteStore } from "./sqlite/sqlite-store.js";
import type { Store } from "./store.js";

export interface OpenedStore {
  readonly store: Store;
  /** Where a generated server key file belongs (beside the database), if the store has a place. */
  readonly keyDirectory: string | undefined;
}

export class DatabaseUrlError extends Error {}

/**
 * Opens the store a `DATABASE_URL` names: `sqlite:PATH` (relative to the working directory),
 * `sqlite::memory:` for a throw-away store.
 */
export function openStore(databaseUrl: string): OpenedStore {
  if (databaseUrl.startsWith("sqlite:")) {
    const location = databaseUrl.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (location === ":memory:")
      return { store: new SqliteStore(":memory:"), keyDirectory: undefined };
    if (location === "")
      throw new DatabaseUrlError(
        "DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/tokenspace.db",
      );
    const filename = resolve(location);
    return { store: new SqliteStore(filename), keyDirectory: dirname(filename) };
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new DatabaseUrlError(
      "PostgreSQL is not supported by this version yet; use a sqlite: DATABASE_URL such as sqlite:./data/tokenspace.db",
    );
  }
  throw new DatabaseUrlError(
    `DATABASE_URL must start with sqlite: (e.g. sqlite:./data/tokenspace.db); got "${databaseUrl.replace(/\/\/[^@/]*@/, "//***@")}"`,
  );
}

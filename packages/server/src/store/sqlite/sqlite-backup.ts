import { renameSync, rmSync } from "node:fs";
import Database from "better-sqlite3";
import { ConfigError } from "../../domain/errors.js";
import { KEY_FINGERPRINT_SETTING } from "../../domain/key-rotation.js";
import { keepPrivate } from "./private-files.js";

/** What a SQLite database file holds, read after its integrity is checked. */
export interface SqliteContents {
  /** The newest schema migration applied to it; 0 when it has none. */
  readonly schemaVersion: number;
  /** The fingerprint of the server key its secrets are sealed under, if it was ever used. */
  readonly keyFingerprint: string | undefined;
  readonly projects: number;
  readonly tokens: number;
}

function tableExists(db: Database.Database, name: string): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !==
    undefined
  );
}

/**
 * Copies a database with SQLite's online backup, which reads a consistent snapshot page by page
 * while other connections keep writing (a file copy of a database in WAL mode can be torn). The
 * copy is made beside `destination`, readable by this user only, and renamed into place whole.
 */
export async function copySqliteDatabase(source: string, destination: string): Promise<void> {
  const db = new Database(source, { fileMustExist: true });
  const partial = `${destination}.partial`;
  rmSync(partial, { force: true });
  keepPrivate(partial);
  try {
    await db.backup(partial);
  } finally {
    db.close();
  }
  // A copy at rest is one file: no write-ahead log beside it (the store turns WAL on when opened).
  const copy = new Database(partial);
  try {
    copy.pragma("journal_mode = DELETE");
  } finally {
    copy.close();
  }
  for (const stale of [`${destination}-wal`, `${destination}-shm`]) rmSync(stale, { force: true });
  renameSync(partial, destination);
}

/** Checks a database file's integrity and says what it holds; a damaged file is refused. */
export function inspectSqliteDatabase(file: string): SqliteContents {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new ConfigError(
      `${file} cannot be opened as a SQLite database (${(error as Error).message}).`,
    );
  }
  try {
    const verdict = db.pragma("integrity_check", { simple: true });
    if (verdict !== "ok") {
      throw new ConfigError(`${file} fails SQLite's integrity check: ${String(verdict)}`);
    }
    const count = (table: string) =>
      tableExists(db, table)
        ? (db.prepare(`SELECT count(*) AS count FROM ${table}`).get() as { count: number }).count
        : 0;
    const schemaVersion = tableExists(db, "schema_migrations")
      ? ((
          db.prepare("SELECT max(version) AS version FROM schema_migrations").get() as {
            version: number | null;
          }
        ).version ?? 0)
      : 0;
    const fingerprint = tableExists(db, "settings")
      ? (db.prepare("SELECT value FROM settings WHERE key = ?").get(KEY_FINGERPRINT_SETTING) as
          | { value: string }
          | undefined)
      : undefined;
    return {
      schemaVersion,
      keyFingerprint: fingerprint?.value,
      projects: count("projects"),
      tokens: count("tokens"),
    };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      `${file} cannot be read as a Tokenspace database (${(error as Error).message}).`,
    );
  } finally {
    db.close();
  }
}

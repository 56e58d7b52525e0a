import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The database and its WAL and shared-memory files are readable by this user only (0600), and
 * a data directory Tokenspace creates is 0700. SQLite gives the WAL and SHM files the database
 * file's mode, so creating that file 0600 first covers all three; files left 0644 by an older
 * version are narrowed at start.
 */
export function keepPrivate(filename: string): void {
  mkdirSync(dirname(filename), { recursive: true, mode: 0o700 });
  closeSync(openSync(filename, "a", 0o600));
  for (const file of [filename, `${filename}-wal`, `${filename}-shm`]) {
    try {
      chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

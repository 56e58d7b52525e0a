import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../domain/errors.js";
import { SECRET_KEY_LENGTH } from "../domain/secret-vault.js";

/** The key file beside a SQLite database, when no TOKENSPACE_SECRET_KEY is set. */
export const KEY_FILE_NAME = "tokenspace.key";

/** A server key, and the file it came from when it came from one. */
export interface ServerKey {
  readonly key: Buffer;
  readonly file: string | undefined;
}

/**
 * The server key that protects token secrets, kept outside the database: the configured key,
 * or a key file beside the database (created with mode 0600 on the first start of an empty
 * database). A store shared by several nodes needs the configured key; a store with no place
 * on disk gets a key that lives as long as the process. A database already in use whose key
 * file is gone is refused before anything is written: a new key could never open its secrets.
 */
export function loadServerKey(
  configured: Buffer | undefined,
  keyDirectory: string | undefined,
  { shared, keyInUse }: { readonly shared: boolean; readonly keyInUse: boolean },
): ServerKey {
  if (configured) return { key: configured, file: undefined };
  if (shared) {
    throw new ConfigError(
      "A PostgreSQL store needs TOKENSPACE_SECRET_KEY, the same on every node (generate one with: openssl rand -hex 32).",
    );
  }
  if (keyDirectory === undefined) return { key: randomBytes(SECRET_KEY_LENGTH), file: undefined };
  const path = join(keyDirectory, KEY_FILE_NAME);
  if (keyInUse && !existsSync(path)) {
    throw new ConfigError(
      `The database beside ${path} was sealed with a server key, but that key file is missing. Restore ${path} from your backup (or set TOKENSPACE_SECRET_KEY to that key); nothing was written.`,
    );
  }
  try {
    writeFileSync(path, `${randomBytes(SECRET_KEY_LENGTH).toString("hex")}\n`, {
      mode: 0o600,
      flag: "wx",
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return { key: readKeyFile(path), file: path };
}

/** A key file: 64 hex characters, readable by its owner only. */
export function readKeyFile(path: string): Buffer {
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch (error) {
    throw new ConfigError(
      `The key file ${path} cannot be read (${(error as NodeJS.ErrnoException).code}).`,
    );
  }
  if (!/^[0-9a-f]{64}$/i.test(text)) {
    throw new ConfigError(`The key file ${path} does not hold a 64-hex-character key.`);
  }
  if ((statSync(path).mode & 0o077) !== 0) {
    throw new ConfigError(
      `The key file ${path} is readable by other users; run: chmod 600 ${path}`,
    );
  }
  return Buffer.from(text, "hex");
}

/** Writes the key a rotation moves to beside the key file, to replace it when the rotation ends. */
export function stageNextKey(keyFile: string, key: Buffer): void {
  writeFileSync(`${keyFile}.next`, `${key.toString("hex")}\n`, { mode: 0o600 });
}

/**
 * Replaces the key file with the staged next key, if one is staged and `accept` takes it, and
 * returns that key. A rotation that ended calls this, and so does a start that finds the
 * database already sealed under the staged key (the rotation ended but never swapped files).
 */
export function promoteNextKey(
  keyFile: string,
  accept: (key: Buffer) => boolean = () => true,
): Buffer | undefined {
  const next = `${keyFile}.next`;
  if (!existsSync(next)) return undefined;
  const key = readKeyFile(next);
  if (!accept(key)) return undefined;
  renameSync(next, keyFile);
  return key;
}

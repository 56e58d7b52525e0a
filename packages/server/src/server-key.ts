import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SECRET_KEY_LENGTH } from "./domain/secret-vault.js";
import { ConfigError } from "./errors.js";

const KEY_FILE_NAME = "tokenspace.key";

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
): Buffer {
  if (configured) return configured;
  if (shared) {
    throw new ConfigError(
      "A PostgreSQL store needs TOKENSPACE_SECRET_KEY, the same on every node (generate one with: openssl rand -hex 32).",
    );
  }
  if (keyDirectory === undefined) return randomBytes(SECRET_KEY_LENGTH);
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
  const text = readFileSync(path, "utf8").trim();
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

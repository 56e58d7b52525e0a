import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ConfigError, UsageError } from "../domain/errors.js";
import { SecretVault } from "../domain/secret-vault.js";
import { loadConfig } from "../runtime/config.js";
import { PACKAGE_VERSION } from "../runtime/package-version.js";
import { KEY_FILE_NAME, readKeyFile } from "../runtime/server-key.js";
import { redactDatabaseUrl, sqliteLocation } from "../store/database-url.js";
import { migrationsFor } from "../store/sql/migrations.js";
import {
  copySqliteDatabase,
  inspectSqliteDatabase,
  type SqliteContents,
} from "../store/sqlite/sqlite-backup.js";
import { type Flags, print } from "./cli-flags.js";
import { withStore } from "./store-commands.js";

const DATABASE_FILE = "tokenspace.db";
const MANIFEST_FILE = "backup.json";

interface Manifest {
  readonly format: 1;
  readonly created_at: string;
  readonly tokenspace_version: string;
  readonly schema_version: number;
  readonly key_fingerprint: string | null;
  readonly key_file: boolean;
  readonly projects: number;
  readonly tokens: number;
}

/** The SQLite file DATABASE_URL names; PostgreSQL gets its tools' commands instead. */
function sqliteFileOf(flags: Flags, command: "backup" | "restore", directory: string) {
  const { databaseUrl, secretKey } = loadConfig(process.env, {
    databaseUrl: flags["database-url"],
  });
  const location = sqliteLocation(databaseUrl);
  if (location === ":memory:") {
    throw new UsageError(`An in-memory database (sqlite::memory:) has nothing to ${command}.`);
  }
  return { location, databaseUrl, secretKey, directory: resolve(directory) };
}

/** What to run on PostgreSQL, where pg_dump and pg_restore make consistent copies already. */
function postgresInstructions(
  databaseUrl: string,
  directory: string,
  command: "backup" | "restore",
) {
  const dump = join(directory, "tokenspace.dump");
  const url = redactDatabaseUrl(databaseUrl);
  const lines =
    command === "backup"
      ? [
          "On PostgreSQL, back up with pg_dump (a consistent snapshot while nodes keep serving):",
          `  mkdir -p ${directory} && pg_dump --format=custom --file=${dump} "$DATABASE_URL"`,
          "Keep TOKENSPACE_SECRET_KEY with it, stored apart: without that key the backup's tokens cannot be used.",
        ]
      : [
          "On PostgreSQL, restore with pg_restore into the database DATABASE_URL names, nodes stopped:",
          `  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" ${dump}`,
          "Start the nodes with the TOKENSPACE_SECRET_KEY the backup was made under.",
        ];
  process.stdout.write(`${lines.join("\n")}\n(DATABASE_URL is ${url}.)\n`);
}

/**
 * `tokenspace backup --out DIR`: a consistent copy of the SQLite database, made with SQLite's
 * online backup while servers keep serving and writing, with the key file beside it.
 */
export async function backup(flags: Flags): Promise<void> {
  if (!flags.out) throw new UsageError("backup needs --out DIR, the directory to write it to.");
  const { location, databaseUrl, secretKey, directory } = sqliteFileOf(flags, "backup", flags.out);
  if (location === undefined) return postgresInstructions(databaseUrl, directory, "backup");
  if (!existsSync(location)) throw new ConfigError(`There is no database at ${location}.`);
  const target = join(directory, DATABASE_FILE);
  if (existsSync(target) && !flags.force) {
    throw new ConfigError(`${target} already exists; choose another --out, or add --force.`);
  }
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  chmodSync(directory, 0o700);
  await copySqliteDatabase(location, target);
  const contents = inspectSqliteDatabase(target);
  const keyFile = join(dirname(location), KEY_FILE_NAME);
  const copiesKeyFile = secretKey === undefined && existsSync(keyFile);
  if (copiesKeyFile) {
    copyFileSync(keyFile, join(directory, KEY_FILE_NAME));
    chmodSync(join(directory, KEY_FILE_NAME), 0o600);
  }
  const manifest: Manifest = {
    format: 1,
    created_at: new Date().toISOString(),
    tokenspace_version: PACKAGE_VERSION,
    schema_version: contents.schemaVersion,
    key_fingerprint: contents.keyFingerprint ?? null,
    key_file: copiesKeyFile,
    projects: contents.projects,
    tokens: contents.tokens,
  };
  writeFileSync(join(directory, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, {
    mode: 0o600,
  });
  process.stderr.write(
    copiesKeyFile
      ? `Warning: ${directory} now holds the server key (${KEY_FILE_NAME}) beside the database: whoever can read it can use every token. Keep it as private as the server's own data.\n`
      : "Warning: the server key is TOKENSPACE_SECRET_KEY, not in this backup: keep it safe, apart from the backup; without it the backup's tokens cannot be used.\n",
  );
  print(
    flags,
    { ...manifest, directory },
    `Backed up ${contents.projects} projects and ${contents.tokens} tokens to ${target} (schema ${contents.schemaVersion}).`,
  );
}

function readManifest(directory: string): Manifest {
  try {
    return JSON.parse(readFileSync(join(directory, MANIFEST_FILE), "utf8")) as Manifest;
  } catch (error) {
    throw new ConfigError(
      `${join(directory, MANIFEST_FILE)} cannot be read (${(error as Error).message}): is ${directory} a Tokenspace backup?`,
    );
  }
}

/** The key the restored database will be opened with, which must be the one it was sealed under. */
function checkKey(backup: SqliteContents, keyFile: string | undefined, configured?: Buffer) {
  if (backup.keyFingerprint === undefined) return;
  const key = configured ?? (keyFile ? readKeyFile(keyFile) : undefined);
  if (key === undefined) {
    throw new ConfigError(
      "The backup holds no key file; set TOKENSPACE_SECRET_KEY to the key it was made under.",
    );
  }
  if (new SecretVault(key).keyFingerprint() !== backup.keyFingerprint) {
    throw new ConfigError(
      configured
        ? "TOKENSPACE_SECRET_KEY is not the key this backup is sealed under; its tokens could not be used."
        : "The backup's key file is not the key its database is sealed under.",
    );
  }
}

/**
 * `tokenspace restore --from DIR`: the backup's database and key file into the place
 * DATABASE_URL names, after checking the backup's integrity, its schema and its key. A
 * database there that holds data is replaced only with --force. Servers on it must be stopped.
 */
export async function restore(flags: Flags): Promise<void> {
  if (!flags.from)
    throw new UsageError("restore needs --from DIR, a directory tokenspace backup wrote.");
  const { location, databaseUrl, secretKey, directory } = sqliteFileOf(
    flags,
    "restore",
    flags.from,
  );
  if (location === undefined) return postgresInstructions(databaseUrl, directory, "restore");
  readManifest(directory);
  const source = join(directory, DATABASE_FILE);
  const backupContents = inspectSqliteDatabase(source);
  const newest = Math.max(...migrationsFor("sqlite").map((migration) => migration.version));
  if (backupContents.schemaVersion > newest) {
    throw new ConfigError(
      `The backup's schema is version ${backupContents.schemaVersion}, newer than this Tokenspace ${PACKAGE_VERSION} knows (version ${newest}): restore it with that version or newer.`,
    );
  }
  const backupKeyFile = join(directory, KEY_FILE_NAME);
  checkKey(backupContents, existsSync(backupKeyFile) ? backupKeyFile : undefined, secretKey);
  if (existsSync(location) && !flags.force) {
    const present = inspectSqliteDatabase(location);
    if (present.projects > 0 || present.tokens > 0) {
      throw new ConfigError(
        `${location} already holds ${present.projects} projects and ${present.tokens} tokens; stop its servers and add --force to replace it with the backup.`,
      );
    }
  }
  await copySqliteDatabase(source, location);
  if (secretKey === undefined && existsSync(backupKeyFile)) {
    const keyFile = join(dirname(location), KEY_FILE_NAME);
    copyFileSync(backupKeyFile, keyFile);
    chmodSync(keyFile, 0o600);
  }
  // Opening the store applies the migrations an older backup lacks, and proves the key opens it.
  await withStore(flags, async () => undefined);
  print(
    flags,
    {
      restored: true,
      database: location,
      projects: backupContents.projects,
      tokens: backupContents.tokens,
    },
    `Restored ${backupContents.projects} projects and ${backupContents.tokens} tokens into ${location}.`,
  );
}

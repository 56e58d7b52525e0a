import type { Migration } from "../migration-runner.js";

/** Append only: a released migration never changes, a new one takes the next version. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "projects, tokens and settings",
    sql: `
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE projects (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        parent_id TEXT REFERENCES projects (id),
        friendly_name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX projects_parent ON projects (parent_id, position);

      CREATE TABLE tokens (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        project_id TEXT NOT NULL REFERENCES projects (id),
        name TEXT NOT NULL,
        permissions TEXT NOT NULL,
        secret_digest BLOB NOT NULL UNIQUE,
        sealed_secret BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX tokens_project_position ON tokens (project_id, position);
    `,
  },
  {
    version: 2,
    name: "project signing keys",
    sql: `
      ALTER TABLE projects ADD COLUMN signing_key_digest BLOB;
      ALTER TABLE projects ADD COLUMN sealed_signing_key BLOB;
    `,
  },
];

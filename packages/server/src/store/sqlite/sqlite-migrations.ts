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
  {
    version: 3,
    name: "token lifecycle and the audit log",
    sql: `
      ALTER TABLE tokens ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
      ALTER TABLE tokens ADD COLUMN last_used_at INTEGER;
      ALTER TABLE tokens ADD COLUMN previous_secret_digest BLOB;
      ALTER TABLE tokens ADD COLUMN previous_sealed_secret BLOB;
      ALTER TABLE tokens ADD COLUMN previous_secret_expires_at INTEGER;
      ALTER TABLE tokens ADD COLUMN expiry_recorded INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX tokens_previous_digest ON tokens (previous_secret_digest)
        WHERE previous_secret_digest IS NOT NULL;
      CREATE INDEX tokens_due_expiry ON tokens (expires_at)
        WHERE expires_at IS NOT NULL AND expiry_recorded = 0;

      CREATE TABLE audit_events (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        action TEXT NOT NULL,
        project_id TEXT,
        target_type TEXT NOT NULL,
        target_id TEXT,
        actor_project_id TEXT,
        actor_token_id TEXT,
        request_id TEXT,
        client_address TEXT,
        details TEXT NOT NULL,
        occurred_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX audit_events_project ON audit_events (project_id, position);
      CREATE INDEX audit_events_occurred ON audit_events (occurred_at);
    `,
  },
  {
    version: 4,
    name: "one target's audit entries in order",
    sql: `
      CREATE INDEX audit_events_target ON audit_events (target_id, position);
    `,
  },
];

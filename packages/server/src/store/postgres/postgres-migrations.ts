import type { Migration } from "../migration-runner.js";

/** Append only: a released migration never changes, a new one takes the next version. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "projects, tokens and settings",
    sql: `
      CREATE TABLE settings (
        key text PRIMARY KEY,
        value text NOT NULL
      );

      CREATE TABLE projects (
        position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        parent_id text REFERENCES projects (id),
        friendly_name text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX projects_parent ON projects (parent_id, position);

      CREATE TABLE tokens (
        position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        project_id text NOT NULL REFERENCES projects (id),
        name text NOT NULL,
        permissions text NOT NULL,
        secret_digest bytea NOT NULL UNIQUE,
        sealed_secret bytea NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX tokens_project_position ON tokens (project_id, position);
    `,
  },
  {
    version: 2,
    name: "project signing keys",
    sql: `
      ALTER TABLE projects ADD COLUMN signing_key_digest bytea;
      ALTER TABLE projects ADD COLUMN sealed_signing_key bytea;
    `,
  },
  {
    version: 3,
    name: "shared request counters",
    sql: `
      CREATE UNLOGGED TABLE counters (
        key text PRIMARY KEY,
        count integer NOT NULL,
        window_ends_at timestamptz NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: "token lifecycle and the audit log",
    sql: `
      ALTER TABLE tokens ADD COLUMN enabled boolean NOT NULL DEFAULT true;
      ALTER TABLE tokens ADD COLUMN expires_at timestamptz;
      ALTER TABLE tokens ADD COLUMN last_used_at timestamptz;
      ALTER TABLE tokens ADD COLUMN previous_secret_digest bytea;
      ALTER TABLE tokens ADD COLUMN previous_sealed_secret bytea;
      ALTER TABLE tokens ADD COLUMN previous_secret_expires_at timestamptz;
      ALTER TABLE tokens ADD COLUMN expiry_recorded boolean NOT NULL DEFAULT false;
      CREATE INDEX tokens_previous_digest ON tokens (previous_secret_digest)
        WHERE previous_secret_digest IS NOT NULL;
      CREATE INDEX tokens_due_expiry ON tokens (expires_at)
        WHERE expires_at IS NOT NULL AND NOT expiry_recorded;

      CREATE TABLE audit_events (
        position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        action text NOT NULL,
        project_id text,
        target_type text NOT NULL,
        target_id text,
        actor_project_id text,
        actor_token_id text,
        request_id text,
        client_address text,
        details text NOT NULL,
        occurred_at timestamptz NOT NULL
      );
      CREATE INDEX audit_events_project ON audit_events (project_id, position);
      CREATE INDEX audit_events_occurred ON audit_events (occurred_at);
    `,
  },
  {
    version: 5,
    name: "one target's audit entries in order",
    sql: `
      CREATE INDEX audit_events_target ON audit_events (target_id, position);
    `,
  },
];

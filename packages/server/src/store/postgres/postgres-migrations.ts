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
];

import { SEAL_FORMAT_SETTING } from "../../domain/secret-vault.js";
import type { Migration } from "../migration-runner.js";

/** How each database spells the schema's column types. */
interface SchemaTypes {
  /** The row's position: assigned by the database, in insertion order. */
  readonly position: string;
  readonly text: string;
  readonly bytes: string;
  readonly time: string;
  readonly flag: string;
  /** A count that may pass 2^31. */
  readonly count: string;
  readonly yes: string;
  readonly no: string;
  /** What closes a CREATE TABLE. */
  readonly tableOptions: string;
  /** The condition that a flag column is unset. */
  unset(column: string): string;
  /** A new token-list version: random, so that no version of a project ever comes back. */
  readonly newVersion: string;
}

type SchemaDialect = "sqlite" | "postgres";

const TYPES: Readonly<Record<SchemaDialect, SchemaTypes>> = {
  // STRICT tables: a value of the wrong type is an error, not silently stored.
  sqlite: {
    position: "INTEGER PRIMARY KEY AUTOINCREMENT",
    text: "TEXT",
    bytes: "BLOB",
    time: "INTEGER",
    flag: "INTEGER",
    count: "INTEGER",
    yes: "1",
    no: "0",
    tableOptions: " STRICT",
    unset: (column) => `${column} = 0`,
    newVersion: "lower(hex(randomblob(16)))",
  },
  postgres: {
    position: "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    text: "text",
    bytes: "bytea",
    time: "timestamptz",
    flag: "boolean",
    count: "bigint",
    yes: "true",
    no: "false",
    tableOptions: "",
    unset: (column) => `NOT ${column}`,
    newVersion: "gen_random_uuid()::text",
  },
};

interface SchemaStep {
  readonly name: string;
  /** The version this step has in each dialect that has it. */
  readonly versions: Partial<Record<SchemaDialect, number>>;
  /** The step's SQL; `dialect` only for what the two spell too differently to share (triggers). */
  readonly sql: (t: SchemaTypes, dialect: SchemaDialect) => string;
  /**
   * Not expand-only (see Migration.breaksOlderCode): on PostgreSQL, whose nodes are upgraded one
   * at a time, only in a new major version.
   */
  readonly breaksOlderCode?: true;
  /** The dialects whose databases in use take this step from `migrate --finish` only. */
  readonly awaitsUpgradeFinish?: readonly SchemaDialect[];
}

/**
 * PostgreSQL's statement moving the versions of the projects `projectIds` (a query) names, in
 * id order. Written in each trigger's PL/pgSQL body, which keeps its plan from one call to the
 * next: a SQL function called from there was parsed and planned again on every statement (the
 * triggers were 23 % of the database's CPU for a create that way, 15 % this way).
 */
function moveTokenListVersions(newVersion: string, projectIds: string): string {
  return `UPDATE projects SET token_list_version = ${newVersion}
        FROM (SELECT id AS locked_id FROM projects WHERE id IN (${projectIds})
          ORDER BY id FOR NO KEY UPDATE) AS locked
        WHERE id = locked_id`;
}

/**
 * A project's `token_list_version` moves on in every transaction that adds a token to it, takes
 * one away, or changes one's name or permissions: what a list of its tokens shows. A list page
 * read at a version holds for as long as the version does (see TokenListCache). Triggers, so that
 * no way of writing tokens, a hand-written statement included, can change a list and leave its
 * version. SQLite has row triggers only; PostgreSQL's statement triggers move a bulk insert's
 * projects once, locking them in id order so that two such writes cannot deadlock. SQLite's
 * insert trigger was dropped again ("token-list versions moved by position"), its row trigger
 * having cost a create more than any other part of its write.
 */
const TOKEN_LIST_VERSION_TRIGGERS: Readonly<Record<SchemaDialect, (newVersion: string) => string>> =
  {
    sqlite: (newVersion) => `
    CREATE TRIGGER tokens_listed_insert AFTER INSERT ON tokens BEGIN
      UPDATE projects SET token_list_version = ${newVersion} WHERE id = NEW.project_id;
    END;
    CREATE TRIGGER tokens_listed_delete AFTER DELETE ON tokens BEGIN
      UPDATE projects SET token_list_version = ${newVersion} WHERE id = OLD.project_id;
    END;
    CREATE TRIGGER tokens_listed_update AFTER UPDATE OF project_id, name, permissions ON tokens
    WHEN NEW.project_id IS NOT OLD.project_id OR NEW.name IS NOT OLD.name
      OR NEW.permissions IS NOT OLD.permissions
    BEGIN
      UPDATE projects SET token_list_version = ${newVersion}
      WHERE id IN (OLD.project_id, NEW.project_id);
    END;`,
    postgres: (newVersion) => `
    CREATE FUNCTION tokenspace_tokens_added_or_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${moveTokenListVersions(newVersion, "SELECT project_id FROM changed")};
      RETURN NULL;
    END $$;
    CREATE FUNCTION tokenspace_token_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${moveTokenListVersions(newVersion, "VALUES (OLD.project_id), (NEW.project_id)")};
      RETURN NULL;
    END $$;
    CREATE TRIGGER tokens_listed_insert AFTER INSERT ON tokens
      REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
      EXECUTE FUNCTION tokenspace_tokens_added_or_removed();
    CREATE TRIGGER tokens_listed_delete AFTER DELETE ON tokens
      REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
      EXECUTE FUNCTION tokenspace_tokens_added_or_removed();
    CREATE TRIGGER tokens_listed_update AFTER UPDATE OF project_id, name, permissions ON tokens
      FOR EACH ROW WHEN (NEW.project_id IS DISTINCT FROM OLD.project_id
        OR NEW.name IS DISTINCT FROM OLD.name OR NEW.permissions IS DISTINCT FROM OLD.permissions)
      EXECUTE FUNCTION tokenspace_token_updated();`,
  };

/**
 * Append only: a released step never changes, a new one takes the next version in each
 * dialect. Versions differ between dialects because PostgreSQL alone keeps shared counters.
 */
const SCHEMA: readonly SchemaStep[] = [
  {
    name: "projects, tokens and settings",
    versions: { sqlite: 1, postgres: 1 },
    sql: (t) => `
      CREATE TABLE settings (
        key ${t.text} PRIMARY KEY,
        value ${t.text} NOT NULL
      )${t.tableOptions};

      CREATE TABLE projects (
        position ${t.position},
        id ${t.text} NOT NULL UNIQUE,
        parent_id ${t.text} REFERENCES projects (id),
        friendly_name ${t.text} NOT NULL,
        created_at ${t.time} NOT NULL,
        updated_at ${t.time} NOT NULL
      )${t.tableOptions};
      CREATE INDEX projects_parent ON projects (parent_id, position);

      CREATE TABLE tokens (
        position ${t.position},
        id ${t.text} NOT NULL UNIQUE,
        project_id ${t.text} NOT NULL REFERENCES projects (id),
        name ${t.text} NOT NULL,
        permissions ${t.text} NOT NULL,
        secret_digest ${t.bytes} NOT NULL UNIQUE,
        sealed_secret ${t.bytes} NOT NULL,
        created_at ${t.time} NOT NULL,
        updated_at ${t.time} NOT NULL
      )${t.tableOptions};
      CREATE INDEX tokens_project_position ON tokens (project_id, position);
    `,
  },
  {
    name: "project signing keys",
    versions: { sqlite: 2, postgres: 2 },
    sql: (t) => `
      ALTER TABLE projects ADD COLUMN signing_key_digest ${t.bytes};
      ALTER TABLE projects ADD COLUMN sealed_signing_key ${t.bytes};
    `,
  },
  {
    name: "shared request counters",
    versions: { postgres: 3 },
    // Counters are worth nothing after a crash, so they skip the write-ahead log.
    sql: () => `
      CREATE UNLOGGED TABLE counters (
        key text PRIMARY KEY,
        count integer NOT NULL,
        window_ends_at timestamptz NOT NULL
      );
    `,
  },
  {
    name: "token lifecycle and the audit log",
    versions: { sqlite: 3, postgres: 4 },
    sql: (t) => `
      ALTER TABLE tokens ADD COLUMN enabled ${t.flag} NOT NULL DEFAULT ${t.yes};
      ALTER TABLE tokens ADD COLUMN expires_at ${t.time};
      ALTER TABLE tokens ADD COLUMN last_used_at ${t.time};
      ALTER TABLE tokens ADD COLUMN previous_secret_digest ${t.bytes};
      ALTER TABLE tokens ADD COLUMN previous_sealed_secret ${t.bytes};
      ALTER TABLE tokens ADD COLUMN previous_secret_expires_at ${t.time};
      ALTER TABLE tokens ADD COLUMN expiry_recorded ${t.flag} NOT NULL DEFAULT ${t.no};
      CREATE INDEX tokens_previous_digest ON tokens (previous_secret_digest)
        WHERE previous_secret_digest IS NOT NULL;
      CREATE INDEX tokens_due_expiry ON tokens (expires_at)
        WHERE expires_at IS NOT NULL AND ${t.unset("expiry_recorded")};

      CREATE TABLE audit_events (
        position ${t.position},
        action ${t.text} NOT NULL,
        project_id ${t.text},
        target_type ${t.text} NOT NULL,
        target_id ${t.text},
        actor_project_id ${t.text},
        actor_token_id ${t.text},
        request_id ${t.text},
        client_address ${t.text},
        details ${t.text} NOT NULL,
        occurred_at ${t.time} NOT NULL
      )${t.tableOptions};
      CREATE INDEX audit_events_project ON audit_events (project_id, position);
      CREATE INDEX audit_events_occurred ON audit_events (occurred_at);
    `,
  },
  {
    name: "one target's audit entries in order",
    versions: { sqlite: 4, postgres: 5 },
    sql: () => `
      CREATE INDEX audit_events_target ON audit_events (target_id, position);
    `,
  },
  {
    name: "the webhook outbox",
    versions: { sqlite: 5, postgres: 6 },
    sql: (t) => `
      CREATE TABLE webhook_outbox (
        position ${t.position},
        id ${t.text} NOT NULL UNIQUE,
        type ${t.text} NOT NULL,
        project_id ${t.text} NOT NULL,
        payload ${t.text} NOT NULL,
        created_at ${t.time} NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at ${t.time} NOT NULL,
        delivered_at ${t.time},
        failed_at ${t.time},
        last_error ${t.text}
      )${t.tableOptions};
      CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at)
        WHERE delivered_at IS NULL AND failed_at IS NULL;
      CREATE INDEX webhook_outbox_failed ON webhook_outbox (failed_at)
        WHERE failed_at IS NOT NULL;
    `,
  },
  {
    name: "token limits, last-used addresses and usage counts",
    versions: { sqlite: 6, postgres: 7 },
    sql: (t) => `
      ALTER TABLE tokens ADD COLUMN last_used_ip ${t.text};
      ALTER TABLE tokens ADD COLUMN rate_limit INTEGER;
      ALTER TABLE tokens ADD COLUMN rate_window_ms INTEGER;
      ALTER TABLE tokens ADD COLUMN uses_remaining ${t.count};
      ALTER TABLE tokens ADD COLUMN uses_refill_amount ${t.count};
      ALTER TABLE tokens ADD COLUMN uses_refill_every_ms ${t.count};
      ALTER TABLE tokens ADD COLUMN uses_refilled_at ${t.time};

      CREATE TABLE usage_counts (
        subject_id ${t.text} NOT NULL,
        span_ms INTEGER NOT NULL,
        bucket_start ${t.time} NOT NULL,
        allowed ${t.count} NOT NULL,
        refused ${t.count} NOT NULL,
        PRIMARY KEY (subject_id, span_ms, bucket_start)
      )${t.tableOptions};
      CREATE INDEX usage_counts_start ON usage_counts (bucket_start);
    `,
  },
  {
    name: "token-list versions",
    versions: { sqlite: 7, postgres: 8 },
    sql: (t, dialect) => `
      ALTER TABLE projects ADD COLUMN token_list_version ${t.text};
      UPDATE projects SET token_list_version = ${t.newVersion};
      ${TOKEN_LIST_VERSION_TRIGGERS[dialect](t.newVersion)}
    `,
  },
  {
    // The insert trigger made every insert keep a statement journal and update its project's
    // row, a fifth of the CPU of a durable create's statements. An insert moves the project's
    // last token position instead, which SQLite's version includes (SqlDialect.tokenListVersion).
    // PostgreSQL keeps its statement trigger: there concurrent transactions commit their
    // positions out of order. Code older than the step reads the version without the position
    // and would hold list pages past an insert, so it must not run on it (README, "Rolling
    // upgrades": SQLite is served by one server, whose upgrade is a restart).
    name: "token-list versions moved by position",
    versions: { sqlite: 8 },
    sql: () => "DROP TRIGGER tokens_listed_insert;",
    breaksOlderCode: true,
  },
  {
    // Secrets sealed from this step on are in format 2 (SealFormat in secret-vault.ts), which
    // code older than the step cannot open, so it must not run on the database; the setting is
    // what tells nodes to seal in it. Those sealed before stay in format 1 until a key rotation
    // re-seals them. A PostgreSQL database in use takes the step once the operator says every
    // node of the rolling upgrade runs code that opens format 2 (`migrate --finish`); until
    // then its nodes seal in format 1, which every release opens.
    name: "secrets sealed in format 2",
    versions: { sqlite: 9, postgres: 9 },
    sql: () => `INSERT INTO settings (key, value) VALUES ('${SEAL_FORMAT_SETTING}', '2');`,
    breaksOlderCode: true,
    awaitsUpgradeFinish: ["postgres"],
  },
  {
    // Retention prunes the oldest entries by position (the table's key, which follows their
    // time: AuditLog.prune), so the index by time was upkeep for every audited write and read by
    // nothing. Older code still runs without it, but its pruning, which sorted by time, would
    // read the whole log: a PostgreSQL database in use keeps the index until `migrate --finish`.
    name: "audit entries pruned by position",
    versions: { sqlite: 10, postgres: 10 },
    sql: () => "DROP INDEX audit_events_occurred;",
    awaitsUpgradeFinish: ["postgres"],
  },
];

/** The migrations of one dialect, in version order. */
export function migrationsFor(dialect: SchemaDialect): readonly Migration[] {
  return SCHEMA.flatMap((step) => {
    const version = step.versions[dialect];
    return version === undefined
      ? []
      : [
          {
            version,
            name: step.name,
            sql: step.sql(TYPES[dialect], dialect),
            ...(step.breaksOlderCode && { breaksOlderCode: step.breaksOlderCode }),
            ...(step.awaitsUpgradeFinish?.includes(dialect) && {
              awaitsUpgradeFinish: true as const,
            }),
          },
        ];
  }).sort((a, b) => a.version - b.version);
}

import pg from "pg";
import type { Counters } from "../../domain/counters.js";
import type {
  AuditFilter,
  AuditRecord,
  FilteredListWindow,
  FilteredRows,
  ListWindow,
  NewAuditRecord,
  NewProjectRecord,
  NewTokenRecord,
  ProjectChangeSet,
  ProjectRecord,
  RevocationWatcher,
  SealedSecret,
  Store,
  TokenChangeSet,
  TokenFilter,
  TokenRecord,
  TokenReroll,
  TokenUse,
} from "../../domain/store.js";
import { StoreUnavailableError } from "../../errors.js";
import { redactDatabaseUrl } from "../database-url.js";
import { filteredRows, filterUpTo } from "../filtered-window.js";
import { runMigrations } from "../migration-runner.js";
import {
  AUDIT,
  type AuditRow,
  assignmentsSql,
  auditValues,
  EXPIRED_TOKEN_AUDIT,
  inColumnOrder,
  insertSql,
  PROJECTS,
  type ProjectRow,
  projectChangeValues,
  projectValues,
  TOKENS,
  type TokenRow,
  toAudit,
  tokenChangeValues,
  tokenValues,
  toProject,
  toToken,
} from "../rows.js";
import { PostgresCounters } from "./postgres-counters.js";
import { classifyPostgresError } from "./postgres-errors.js";
import { PostgresMigrationAdapter } from "./postgres-migration-adapter.js";
import { POSTGRES_MIGRATIONS } from "./postgres-migrations.js";
import type { PostgresOptions } from "./postgres-options.js";
import { RevocationListener } from "./revocation-listener.js";

const REVOCATION_CHANNEL = "tokenspace_revocations";

/** PostgreSQL numbers its parameters from $1. */
const numbered = (_column: string, index: number) => `$${index + 1}`;

const notify = (digestColumn: string) =>
  `pg_notify('${REVOCATION_CHANNEL}', encode(${digestColumn}, 'base64'))`;
const NOTIFY = notify("secret_digest");

/** Parameter types the audit insert needs spelled out (an INSERT … SELECT infers none). */
const AUDIT_COLUMN_TYPES: Readonly<Record<string, string>> = { occurred_at: "timestamptz" };

/**
 * `audited AS (INSERT INTO audit_events … SELECT $n… FROM source LIMIT 1)`: the entry is
 * written, in the same statement as the change, exactly when `source` (the changed row) exists.
 * Its parameters follow the statement's first `offset` ones.
 */
function auditedCte(source: string, offset: number): string {
  const values = AUDIT.written.map(
    (column, index) => `$${offset + index + 1}::${AUDIT_COLUMN_TYPES[column] ?? "text"}`,
  );
  return `audited AS (INSERT INTO audit_events (${AUDIT.written.join(", ")})
    SELECT ${values.join(", ")} FROM ${source} LIMIT 1)`;
}

const auditParameters = (audit: NewAuditRecord) => inColumnOrder(AUDIT.written, auditValues(audit));

/**
 * Rows of `table` that belong to the project $1 or its subprojects (or only the one of them
 * $2 names), read member by member so that each reads its own index in position order and stops
 * at `clause`'s LIMIT: a family's list then costs what its page does, not what the family holds.
 */
const familyRows = (table: string, columns: string, clause: string) =>
  `SELECT found.* FROM projects AS member CROSS JOIN LATERAL (
     SELECT ${columns} FROM ${table} WHERE project_id = member.id AND ${clause}
   ) AS found
   WHERE (member.id = $1 OR member.parent_id = $1) AND ($2::text IS NULL OR member.id = $2)`;

/** A filtered keyset list (see FilteredListWindow): which rows it examines, and which it keeps. */
interface FilteredList {
  /** Names the list's prepared statements. */
  readonly name: string;
  readonly columns: string;
  /**
   * The rows of the list, with `columns`, that also meet `clause` (a condition on position,
   * then an ORDER BY and a LIMIT); over the `scope` parameters.
   */
  readonly rows: (columns: string, clause: string) => string;
  readonly scope: readonly unknown[];
  /** A condition on the examined rows, over the `filterValues` parameters. */
  readonly filter: (placeholder: (index: number) => string) => string;
  readonly filterValues: readonly unknown[];
}

/** A top-level project $1 (and not a filter $2 for one project) also sees the service's entries. */
const SERVICE_ENTRIES = `project_id IS NULL AND $2::text IS NULL
  AND EXISTS (SELECT 1 FROM projects WHERE id = $1 AND parent_id IS NULL)`;

/**
 * The scale-out store: any number of stateless nodes on one PostgreSQL. Each statement commits
 * on its own (PostgreSQL's default synchronous commit makes it durable); a token update or
 * delete announces the token's digest on a channel every node listens to, in the same
 * statement, so the announcement is sent exactly when the change commits.
 */
export class PostgresStore implements Store {
  readonly #pool: pg.Pool;
  readonly #config: pg.PoolConfig;
  #listener: RevocationListener | undefined;

  private constructor(connectionString: string, options: PostgresOptions) {
    this.#config = {
      connectionString,
      max: options.poolSize,
      statement_timeout: options.statementTimeoutMs,
      query_timeout: options.statementTimeoutMs + 1000,
      connectionTimeoutMillis: options.connectTimeoutMs,
      application_name: "tokenspace",
    };
    this.#pool = new pg.Pool(this.#config);
    // An idle connection the server dropped: the pool discards it and opens a new one on demand.
    this.#pool.on("error", () => {});
  }

  /** Connects and applies pending migrations under an advisory lock. */
  static async open(connectionString: string, options: PostgresOptions): Promise<PostgresStore> {
    const store = new PostgresStore(connectionString, options);
    try {
      await store.#migrate();
      return store;
    } catch (error) {
      await store.close();
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(
        `Cannot use the PostgreSQL database ${redactDatabaseUrl(connectionString)}: ${reason}`,
      );
    }
  }

  async ping(): Promise<void> {
    await this.#query("ping", "SELECT 1", []);
  }

  async close(): Promise<void> {
    await this.#listener?.stop();
    await this.#pool.end();
  }

  watchRevocations(watcher: RevocationWatcher): void {
    this.#listener = new RevocationListener(this.#config, REVOCATION_CHANNEL, watcher);
    this.#listener.start();
  }

  /** Other nodes write to the same database and tell no count; they announce revocations. */
  outsideChangeCount(): undefined {
    return undefined;
  }

  sharedCounters(): Counters {
    return new PostgresCounters(this.#pool);
  }

  async readSetting(key: string): Promise<string | undefined> {
    const [row] = await this.#query<{ value: string }>(
      "read_setting",
      "SELECT value FROM settings WHERE key = $1",
      [key],
    );
    return row?.value;
  }

  async initSetting(key: string, value: string): Promise<string> {
    const [inserted] = await this.#query<{ value: string }>(
      "init_setting",
      "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING value",
      [key, value],
    );
    if (inserted) return inserted.value;
    // Another node's insert won; a statement of its own sees that row (the insert's snapshot,
    // taken before the winner committed, would not).
    const existing = await this.readSetting(key);
    if (existing === undefined) throw new Error(`setting ${key} vanished while being written`);
    return existing;
  }

  async writeSettings(
    settings: Readonly<Record<string, string | undefined>>,
    audit?: NewAuditRecord,
  ): Promise<void> {
    const entries = Object.entries(settings);
    await this.#query(
      audit ? "write_settings_audited" : "write_settings",
      `WITH written AS (
         INSERT INTO settings (key, value)
         SELECT key, value FROM unnest($1::text[], $2::text[]) AS given (key, value)
         WHERE value IS NOT NULL
         ON CONFLICT (key) DO UPDATE SET value = excluded.value
       )${audit ? `, ${auditedCte("(SELECT 1) AS always", 3)}` : ""}
       DELETE FROM settings WHERE key = ANY ($3::text[])`,
      [
        entries.map(([key]) => key),
        entries.map(([, value]) => value ?? null),
        entries.filter(([, value]) => value === undefined).map(([key]) => key),
        ...(audit ? auditParameters(audit) : []),
      ],
    );
  }

  async insertProject(project: NewProjectRecord, audit: NewAuditRecord): Promise<ProjectRecord> {
    const [row] = await this.#query<ProjectRow>(
      "insert_project",
      `WITH inserted AS (${insertSql(PROJECTS, numbered)}),
       ${auditedCte("inserted", PROJECTS.written.length)}
       SELECT * FROM inserted`,
      [...inColumnOrder(PROJECTS.written, projectValues(project)), ...auditParameters(audit)],
    );
    return toProject(row as ProjectRow);
  }

  async findProject(id: string): Promise<ProjectRecord | undefined> {
    const [row] = await this.#query<ProjectRow>(
      "find_project",
      `SELECT ${PROJECTS.selectList} FROM projects WHERE id = $1`,
      [id],
    );
    return row && toProject(row);
  }

  async updateProject(
    id: string,
    changes: ProjectChangeSet,
    audit: NewAuditRecord,
  ): Promise<ProjectRecord | undefined> {
    const offset = 1 + PROJECTS.changeParameters.length;
    const [row] = await this.#query<ProjectRow>(
      "update_project",
      `WITH updated AS (
         UPDATE projects SET ${assignmentsSql(PROJECTS, numbered, 1)} WHERE id = $1
         RETURNING ${PROJECTS.selectList}
       ), ${auditedCte("updated", offset)}
       SELECT * FROM updated`,
      [
        id,
        ...inColumnOrder(PROJECTS.changeParameters, projectChangeValues(changes)),
        ...auditParameters(audit),
      ],
    );
    return row && toProject(row);
  }

  async listProjectFamily(
    projectId: string,
    window: ListWindow,
    friendlyName?: string,
  ): Promise<ProjectRecord[]> {
    const backwards = window.before !== undefined;
    const rows = await this.#query<ProjectRow>(
      backwards ? "list_projects_before" : "list_projects_after",
      `SELECT ${PROJECTS.selectList} FROM projects
       WHERE (id = $1 OR parent_id = $1) AND ($2::text IS NULL OR friendly_name = $2)
         AND position ${backwards ? "<" : ">"} $3
       ORDER BY position ${backwards ? "DESC" : "ASC"} LIMIT $4`,
      [projectId, friendlyName ?? null, window.before ?? window.after ?? 0, window.limit],
    );
    return (backwards ? rows.reverse() : rows).map(toProject);
  }

  async countProjects(): Promise<number> {
    const [row] = await this.#query<{ count: number }>(
      "count_projects",
      "SELECT count(*)::int AS count FROM projects",
      [],
    );
    return row?.count ?? 0;
  }

  async listProjects(): Promise<ProjectRecord[]> {
    const rows = await this.#query<ProjectRow>(
      "list_projects",
      `SELECT ${PROJECTS.selectList} FROM projects ORDER BY position`,
      [],
    );
    return rows.map(toProject);
  }

  async insertToken(token: NewTokenRecord, audit: NewAuditRecord): Promise<TokenRecord> {
    const [row] = await this.#query<TokenRow>(
      "insert_token",
      `WITH inserted AS (${insertSql(TOKENS, numbered)}),
       ${auditedCte("inserted", TOKENS.written.length)}
       SELECT * FROM inserted`,
      [...inColumnOrder(TOKENS.written, tokenValues(token)), ...auditParameters(audit)],
    );
    return toToken(row as TokenRow);
  }

  async insertTokens(tokens: readonly NewTokenRecord[], audit: NewAuditRecord): Promise<void> {
    const columns = TOKENS.written.join(", ");
    await this.#query(
      "insert_tokens",
      `WITH inserted AS (
         INSERT INTO tokens (${columns})
         SELECT ${columns} FROM json_populate_recordset(null::tokens, $1::json)
       ), ${auditedCte("(SELECT 1) AS always", 1)}
       SELECT 1`,
      [
        JSON.stringify(tokens.map((token) => jsonValues(tokenValues(token)))),
        ...auditParameters(audit),
      ],
    );
  }

  async findToken(projectId: string, tokenId: string): Promise<TokenRecord | undefined> {
    const [row] = await this.#query<TokenRow>(
      "find_token",
      `SELECT ${TOKENS.selectList} FROM tokens WHERE project_id = $1 AND id = $2`,
      [projectId, tokenId],
    );
    return row && toToken(row);
  }

  async findTokenById(tokenId: string): Promise<TokenRecord | undefined> {
    const [row] = await this.#query<TokenRow>(
      "find_token_by_id",
      `SELECT ${TOKENS.selectList} FROM tokens WHERE id = $1`,
      [tokenId],
    );
    return row && toToken(row);
  }

  async findTokenByDigest(secretDigest: Buffer): Promise<TokenRecord | undefined> {
    const [row] = await this.#query<TokenRow>(
      "find_token_by_digest",
      `SELECT ${TOKENS.selectList} FROM tokens WHERE secret_digest = $1
       UNION ALL
       SELECT ${TOKENS.selectList} FROM tokens WHERE previous_secret_digest = $1
       LIMIT 1`,
      [secretDigest],
    );
    return row && toToken(row);
  }

  async updateToken(
    projectId: string,
    tokenId: string,
    changes: TokenChangeSet,
    audit: NewAuditRecord,
  ): Promise<TokenRecord | undefined> {
    const offset = 2 + TOKENS.changeParameters.length;
    const [row] = await this.#query<TokenRow>(
      "update_token",
      `WITH updated AS (
         UPDATE tokens SET ${assignmentsSql(TOKENS, numbered, 2)}
         WHERE project_id = $1 AND id = $2
         RETURNING ${TOKENS.selectList}
       ), ${auditedCte("updated", offset)}
       SELECT ${TOKENS.selectList}, ${NOTIFY} FROM updated`,
      [
        projectId,
        tokenId,
        ...inColumnOrder(TOKENS.changeParameters, tokenChangeValues(changes)),
        ...auditParameters(audit),
      ],
    );
    return row && toToken(row);
  }

  /** Announces the digest the token had before: the one other nodes have cached it under. */
  async rerollToken(
    projectId: string,
    tokenId: string,
    reroll: TokenReroll,
    audit: NewAuditRecord,
  ): Promise<{ token: TokenRecord; replacedDigest: Buffer } | undefined> {
    const [row] = await this.#query<TokenRow & { replaced_digest: Buffer }>(
      "reroll_token",
      `WITH replaced AS (
         SELECT id AS replaced_id, secret_digest AS replaced_digest FROM tokens
         WHERE project_id = $1 AND id = $2 FOR UPDATE
       ), updated AS (
         UPDATE tokens SET
           previous_secret_digest = CASE WHEN $5::timestamptz IS NULL THEN NULL ELSE secret_digest END,
           previous_sealed_secret = CASE WHEN $5::timestamptz IS NULL THEN NULL ELSE sealed_secret END,
           previous_secret_expires_at = $5::timestamptz,
           secret_digest = $3, sealed_secret = $4, updated_at = $6
         FROM replaced WHERE id = replaced_id
         RETURNING ${TOKENS.selectList}, replaced_digest
       ), ${auditedCte("updated", 6)}
       SELECT ${TOKENS.selectList}, replaced_digest, ${notify("replaced_digest")} FROM updated`,
      [
        projectId,
        tokenId,
        reroll.secret.digest,
        reroll.secret.sealed,
        reroll.previousSecretExpiresAt,
        reroll.updatedAt,
        ...auditParameters(audit),
      ],
    );
    return row && { token: toToken(row), replacedDigest: row.replaced_digest };
  }

  async deleteToken(
    projectId: string,
    tokenId: string,
    audit: NewAuditRecord,
  ): Promise<TokenRecord | undefined> {
    const [row] = await this.#query<TokenRow>(
      "delete_token",
      `WITH deleted AS (
         DELETE FROM tokens WHERE project_id = $1 AND id = $2 RETURNING ${TOKENS.selectList}
       ), ${auditedCte("deleted", 2)}
       SELECT ${TOKENS.selectList}, ${NOTIFY} FROM deleted`,
      [projectId, tokenId, ...auditParameters(audit)],
    );
    return row && toToken(row);
  }

  async listFamilyTokens(
    projectId: string,
    window: FilteredListWindow,
    filter: TokenFilter = {},
  ): Promise<FilteredRows<TokenRecord>> {
    const found = await this.#inFilteredWindow<TokenRow>(
      {
        name: "family_tokens",
        columns: TOKENS.selectList,
        rows: (columns, clause) => familyRows("tokens", columns, clause),
        scope: [projectId, filter.projectId ?? null],
        filter: (at) =>
          `(${at(0)}::timestamptz IS NULL
             OR (expires_at >= ${at(0)} AND expires_at < ${at(1)}::timestamptz))
           AND (${at(2)}::text IS NULL OR strpos(lower(name), ${at(2)}) > 0)`,
        filterValues: [
          filter.expiring?.from ?? null,
          filter.expiring?.by ?? null,
          filter.nameContains?.toLowerCase() ?? null,
        ],
      },
      window,
    );
    return { ...found, rows: found.rows.map(toToken) };
  }

  async recordTokenUses(uses: readonly TokenUse[]): Promise<void> {
    await this.#query(
      "record_token_uses",
      `UPDATE tokens SET last_used_at = greatest(last_used_at, used.at)
       FROM unnest($1::text[], $2::timestamptz[]) AS used (token_id, at)
       WHERE id = used.token_id`,
      [uses.map((use) => use.tokenId), uses.map((use) => use.at)],
    );
  }

  async claimExpiredTokens(now: Date, limit: number): Promise<TokenRecord[]> {
    const rows = await this.#query<TokenRow>(
      "claim_expired_tokens",
      `WITH due AS (
         SELECT id AS due_id FROM tokens
         WHERE expires_at IS NOT NULL AND NOT expiry_recorded AND expires_at <= $1
         ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ), expired AS (
         UPDATE tokens SET expiry_recorded = true FROM due WHERE id = due_id
         RETURNING ${TOKENS.selectList}
       ), audited AS (${EXPIRED_TOKEN_AUDIT} FROM expired)
       SELECT ${TOKENS.selectList} FROM expired`,
      [now, limit],
    );
    return rows.map(toToken);
  }

  async listAudit(
    projectId: string,
    filter: AuditFilter,
    window: FilteredListWindow,
  ): Promise<FilteredRows<AuditRecord>> {
    const scope = [projectId, filter.projectId ?? null];
    const found = await this.#inFilteredWindow<AuditRow>(
      {
        columns: AUDIT.selectList,
        ...(filter.targetId === undefined
          ? {
              name: "audit",
              rows: (columns, clause) =>
                `(${familyRows("audit_events", columns, clause)})
                 UNION ALL
                 (SELECT ${columns} FROM audit_events WHERE ${SERVICE_ENTRIES} AND ${clause})`,
              scope,
            }
          : {
              // One target's entries, from its own index; they are all in scope or none is.
              name: "target_audit",
              rows: (columns, clause) =>
                `SELECT ${columns} FROM audit_events
                 WHERE target_id = $3
                   AND (project_id IN (SELECT id FROM projects
                          WHERE (id = $1 OR parent_id = $1) AND ($2::text IS NULL OR id = $2))
                        OR (${SERVICE_ENTRIES}))
                   AND ${clause}`,
              scope: [...scope, filter.targetId],
            }),
        filter: (at) =>
          `(${at(0)}::text IS NULL OR action = ${at(0)})
           AND (${at(1)}::timestamptz IS NULL OR occurred_at >= ${at(1)})
           AND (${at(2)}::timestamptz IS NULL OR occurred_at < ${at(2)})`,
        filterValues: [filter.action ?? null, filter.since ?? null, filter.until ?? null],
      },
      window,
    );
    return { ...found, rows: found.rows.map(toAudit) };
  }

  async pruneAudit(before: Date, limit: number): Promise<number> {
    const rows = await this.#query(
      "prune_audit",
      `DELETE FROM audit_events WHERE position IN (
         SELECT position FROM audit_events WHERE occurred_at < $1 ORDER BY occurred_at LIMIT $2
       ) RETURNING position`,
      [before, limit],
    );
    return rows.length;
  }

  async listTokens(projectId: string, window: ListWindow): Promise<TokenRecord[]> {
    const backwards = window.before !== undefined;
    const rows = await this.#query<TokenRow>(
      backwards ? "list_tokens_before" : "list_tokens_after",
      `SELECT ${TOKENS.selectList} FROM tokens WHERE project_id = $1 AND position ${backwards ? "<" : ">"} $2
       ORDER BY position ${backwards ? "DESC" : "ASC"} LIMIT $3`,
      [projectId, window.before ?? window.after ?? 0, window.limit],
    );
    return (backwards ? rows.reverse() : rows).map(toToken);
  }

  async listAllTokens(afterPosition: number, limit: number): Promise<TokenRecord[]> {
    const rows = await this.#query<TokenRow>(
      "list_all_tokens",
      `SELECT ${TOKENS.selectList} FROM tokens WHERE position > $1 ORDER BY position ASC LIMIT $2`,
      [afterPosition, limit],
    );
    return rows.map(toToken);
  }

  async resealToken(
    id: string,
    expectedDigest: Buffer,
    sealed: SealedSecret,
    previous: SealedSecret | null,
  ): Promise<boolean> {
    const rows = await this.#query(
      "reseal_token",
      `UPDATE tokens SET secret_digest = $1, sealed_secret = $2,
         previous_secret_digest = $5, previous_sealed_secret = $6
       WHERE id = $3 AND secret_digest = $4 RETURNING id`,
      [
        sealed.digest,
        sealed.sealed,
        id,
        expectedDigest,
        previous?.digest ?? null,
        previous?.sealed ?? null,
      ],
    );
    return rows.length === 1;
  }

  async resealSigningKey(
    id: string,
    expectedDigest: Buffer,
    sealed: SealedSecret,
  ): Promise<boolean> {
    const rows = await this.#query(
      "reseal_signing_key",
      `UPDATE projects SET signing_key_digest = $1, sealed_signing_key = $2
       WHERE id = $3 AND signing_key_digest = $4 RETURNING id`,
      [sealed.digest, sealed.sealed, id, expectedDigest],
    );
    return rows.length === 1;
  }

  /** Runs one named (prepared once per connection) statement. */
  /**
   * A filtered keyset window (see FilteredListWindow and FilteredRows): the boundary is read
   * from the list's indexes alone, and the filter applied to the rows up to it.
   */
  async #inFilteredWindow<R extends TokenRow | AuditRow>(
    list: FilteredList,
    window: FilteredListWindow,
  ): Promise<FilteredRows<R>> {
    const backwards = window.before !== undefined;
    const [direction, beyond, upTo, order] = backwards
      ? (["before", "<", ">=", "DESC"] as const)
      : (["after", ">", "<=", "ASC"] as const);
    const position = window.before ?? window.after ?? 0;
    const at = (index: number) => `$${list.scope.length + index + 1}`;
    // With no filter condition given every row passes: the page's own LIMIT bounds it.
    const filtered = list.filterValues.some((value) => value !== null);
    const [last, next] = filtered
      ? await this.#query<{ position: string }>(
          `list_${list.name}_${direction}_boundary`,
          `SELECT position FROM (
             ${list.rows("position", `position ${beyond} ${at(0)} ORDER BY position ${order} LIMIT ${at(1)} + 1`)}
           ) AS examined ORDER BY position ${order} LIMIT 2 OFFSET ${at(1)} - 1`,
          [...list.scope, position, window.examine],
        )
      : [];
    const examinedThrough = last && next ? Number(last.position) : undefined;
    const kept = `position ${beyond} ${at(0)} AND position ${upTo} ${at(1)}
      AND ${list.filter((index) => at(3 + index))}
      ORDER BY position ${order} LIMIT ${at(2)}`;
    const rows = await this.#query<R>(
      `list_${list.name}_${direction}`,
      `SELECT * FROM (${list.rows(list.columns, kept)}) AS kept
       ORDER BY position ${order} LIMIT ${at(2)}`,
      [
        ...list.scope,
        position,
        filterUpTo(window, examinedThrough),
        window.limit,
        ...list.filterValues,
      ],
    );
    return filteredRows(window, rows, examinedThrough);
  }

  async #query<R extends pg.QueryResultRow>(
    name: string,
    text: string,
    values: unknown[],
  ): Promise<R[]> {
    try {
      return (await this.#pool.query<R>({ name, text, values })).rows;
    } catch (error) {
      throw classifyPostgresError(error);
    }
  }

  async #migrate(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await runMigrations(new PostgresMigrationAdapter(client), POSTGRES_MIGRATIONS);
    } finally {
      client.release();
    }
  }
}

/** A row as JSON for json_populate_recordset: bytea as `\x…` hex text, times as ISO text. */
function jsonValues(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([column, value]) => [
      column,
      Buffer.isBuffer(value) ? `\\x${value.toString("hex")}` : value,
    ]),
  );
}

import pg from "pg";
import type { Counters } from "../../domain/counters.js";
import { ActorChangedError, StoreUnavailableError } from "../../domain/errors.js";
import type { SecretDigests } from "../../domain/secret-vault.js";
import type {
  NewAuditRecord,
  RevocationWatcher,
  Store,
  TokenRecord,
  TokenUse,
  UsageCount,
  UsesLease,
} from "../../domain/store.js";
import { redactDatabaseUrl } from "../database-url.js";
import {
  type MigrationOptions,
  type MigrationPlan,
  planMigrations,
  runMigrations,
} from "../migration-runner.js";
import { migrationsFor } from "../sql/migrations.js";
import { type RowBuilder, rowBuilder } from "../sql/row-builder.js";
import type { CompiledStatement, SqlValues } from "../sql/sql-dialect.js";
import { type AuditedChange, type RerolledRow, SqlStore } from "../sql/sql-store.js";
import {
  actorConfirmed,
  nextTokenVersion,
  SHARED_SQL,
  tokenByDigest,
  updateTokenSql,
  usesAtNow,
} from "../sql/store-statements.js";
import {
  AUDIT,
  announcedValues,
  assignmentsSql,
  auditParameters,
  type DeliveryRow,
  EXPIRED_TOKEN_AUDIT,
  givenFlag,
  INSERTED_TOKEN_COLUMNS,
  type InsertedTokenRow,
  OUTBOX,
  PROJECTS,
  TOKENS,
  type TokenRow,
  toToken,
  unconfirmedActor,
} from "../sql/tables.js";
import { TickBatcher } from "../tick-batcher.js";
import { PostgresCounters } from "./postgres-counters.js";
import { POSTGRES_DIALECT } from "./postgres-dialect.js";
import { classifyPostgresError } from "./postgres-errors.js";
import { PostgresMigrationAdapter } from "./postgres-migration-adapter.js";
import type { PostgresOptions } from "./postgres-options.js";
import { RevocationListener } from "./revocation-listener.js";

const REVOCATION_CHANNEL = "tokenspace_revocations";
const USES = usesAtNow(POSTGRES_DIALECT);

/** A batch that failed because the database could not be used fails every call it carried. */
const isOutage = (error: unknown) => error instanceof StoreUnavailableError;

/** A change and its audit entry, as a batch takes them. */
interface AuditedCall {
  readonly values: SqlValues;
  readonly audit: NewAuditRecord;
}

/** The token a change is to: two changes of one token are never made in one batch. */
const targetToken = (call: AuditedCall) => call.values.id;

/** The row a batch's statement returned for each call, if any, by the call's token. */
function rowOfEachCall<R extends { readonly id: string }>(
  calls: readonly AuditedCall[],
  rows: readonly R[],
): R[][] {
  const byToken = new Map(rows.map((row) => [row.id, row]));
  return calls.map(({ values }) => {
    const row = byToken.get(values.id as string);
    return row ? [row] : [];
  });
}

/** One statement of a transaction, on its connection: the rows it returns. */
type TransactionStep = (statement: CompiledStatement, values: SqlValues) => Promise<unknown[]>;

const notify = (digestColumn: string) =>
  `pg_notify('${REVOCATION_CHANNEL}', encode(${digestColumn}, 'base64'))`;

/** Parameter types the audit insert needs spelled out (an INSERT … SELECT infers none). */
const AUDIT_COLUMN_TYPES: Readonly<Record<string, string>> = { occurred_at: "timestamptz" };

/**
 * `audited AS (INSERT INTO audit_events … SELECT @audit_… FROM source LIMIT 1)`: the entry is
 * written, in the same statement as the change, exactly when `source` (the changed row) exists.
 */
function auditedCte(source: string): string {
  const values = AUDIT.written.map(
    (column) => `@audit_${column}::${AUDIT_COLUMN_TYPES[column] ?? "text"}`,
  );
  return `audited AS (INSERT INTO audit_events (${AUDIT.written.join(", ")})
    SELECT ${values.join(", ")} FROM ${source} LIMIT 1)`;
}

/**
 * A change that returns its row (a shared statement), as one statement with its audit entry
 * and, given the column of a digest other nodes may have cached, the announcement of it.
 */
const audited = (change: string, announce?: string) =>
  `WITH changed AS (${change}), ${auditedCte("changed")}
   SELECT changed.*${announce ? `, ${notify(announce)}` : ""} FROM changed`;

/** Audit entries given as a JSON array of their `@audit_…` parameters (see auditParameters). */
const AUDITS_FROM_JSON = `json_to_recordset(@audits::json) AS given_audit (${AUDIT.written
  .map((column) => `audit_${column} ${AUDIT_COLUMN_TYPES[column] ?? "text"}`)
  .join(", ")})`;

/**
 * The actor each batched create was made by, when it is to be confirmed (see unconfirmedActor),
 * as `made_by`: a JSON array of its own, so that the rows' larger JSON is parsed once.
 */
const MADE_BY_FROM_JSON =
  "json_to_recordset(@made_by::json) AS made_by (id text, actor_token_id text, actor_version timestamptz)";
/**
 * Each of a batch's writes is made only if its actor is confirmed, or need not be: by one probe
 * of the actor's id per row. A batch's rows come from JSON, which the planner counts as 100;
 * against a tokens table it last analyzed at 1 000 rows it chose to hash every enabled token
 * once per statement instead, a plan kept while the table grew: a create cost PostgreSQL
 * 0.5 ms of CPU at first and 2.5 ms some 15 000 creates later.
 */
const ACTOR_CONFIRMED = actorConfirmed(
  POSTGRES_DIALECT,
  "made_by.actor_token_id",
  "made_by.actor_version",
);

/**
 * Updates made together: each change's new values typed as the tokens table's columns, named
 * `new_…` so that no name in the statement stands for two things, joined to the token it changes,
 * its actor and its `…_given` flags (`made_by`).
 */
const UPDATE_TOKENS_FROM_JSON = `UPDATE tokens SET ${assignmentsSql(
  TOKENS,
  { updated_at: nextTokenVersion(POSTGRES_DIALECT, "new_updated_at") },
  (name) => (TOKENS.clearable.some((column) => givenFlag(column) === name) ? name : `new_${name}`),
)}
  FROM (SELECT id AS new_id, ${TOKENS.changed.map((column) => `${column} AS new_${column}`).join(", ")}
    FROM json_populate_recordset(null::tokens, @changes::json)) AS given
  JOIN json_to_recordset(@made_by::json) AS made_by (target_project_id text, target_id text,
    actor_token_id text, actor_version timestamptz,
    ${TOKENS.clearable.map((column) => `${givenFlag(column)} boolean`).join(", ")})
    ON made_by.target_id = given.new_id
  WHERE project_id = made_by.target_project_id AND id = made_by.target_id AND ${ACTOR_CONFIRMED}
  RETURNING ${TOKENS.selectList}`;

/** Token rows given as a JSON array of objects (see jsonValues), inserted. */
const INSERT_TOKENS_FROM_JSON = `INSERT INTO tokens (${TOKENS.written.join(", ")})
  SELECT ${TOKENS.written.join(", ")} FROM json_populate_recordset(null::tokens, @rows::json)`;

const writeSettings = (audit: string) => `WITH written AS (
    INSERT INTO settings (key, value)
    SELECT key, value FROM unnest(@keys::text[], @values::text[]) AS given (key, value)
    WHERE value IS NOT NULL
    ON CONFLICT (key) DO UPDATE SET value = excluded.value
  )${audit}
  DELETE FROM settings WHERE key = ANY (@deleted::text[])`;

/**
 * PostgreSQL's own statements: each write is one statement, its audit entry written by a CTE
 * and a revocation announced by pg_notify, so that both happen exactly when the change commits.
 */
const POSTGRES_ONLY = {
  writeSettings: writeSettings(""),
  writeSettingsAudited: writeSettings(`, ${auditedCte("(SELECT 1) AS always")}`),
  insertProject: audited(SHARED_SQL.insertProject),
  updateProject: audited(SHARED_SQL.updateProject),
  insertToken: audited(SHARED_SQL.insertToken),
  // One statement: the references between the three are checked when all of it is done.
  clearAll: `WITH tokens_cleared AS (DELETE FROM tokens), audit_cleared AS (DELETE FROM audit_events),
      outbox_cleared AS (DELETE FROM webhook_outbox)
    DELETE FROM projects`,
  insertOutboxRows: `INSERT INTO webhook_outbox (${OUTBOX.written.join(", ")})
    SELECT ${OUTBOX.written.join(", ")}
    FROM json_populate_recordset(null::webhook_outbox, @rows::json)`,
  // Each node takes different deliveries: rows another node is taking are skipped, not waited on.
  claimDeliveries: `UPDATE webhook_outbox SET next_attempt_at = @lease_until
    WHERE position IN (SELECT position FROM webhook_outbox
      WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= @now
      ORDER BY next_attempt_at LIMIT @limit FOR UPDATE SKIP LOCKED)
    RETURNING ${OUTBOX.selectList}`,
  insertProjects: `INSERT INTO projects (${PROJECTS.written.join(", ")})
    SELECT ${PROJECTS.written.join(", ")} FROM json_populate_recordset(null::projects, @rows::json)`,
  insertTokens: `WITH inserted AS (${INSERT_TOKENS_FROM_JSON}), ${auditedCte("(SELECT 1) AS always")}
    SELECT 1`,
  // Creates made together (see TickBatcher): the tokens, each with its own audit entry.
  insertAuditedTokens: `WITH inserted AS (
      INSERT INTO tokens (${TOKENS.written.join(", ")})
      SELECT ${TOKENS.written.map((column) => `given.${column}`).join(", ")}
      FROM json_populate_recordset(null::tokens, @rows::json) AS given
      JOIN ${MADE_BY_FROM_JSON} ON made_by.id = given.id
      WHERE ${ACTOR_CONFIRMED}
      RETURNING ${INSERTED_TOKEN_COLUMNS}
    ), audited AS (INSERT INTO audit_events (${AUDIT.written.join(", ")})
      SELECT given_audit.* FROM ${AUDITS_FROM_JSON} JOIN inserted ON inserted.id = given_audit.audit_target_id)
    SELECT * FROM inserted`,
  // Deletes made together: each token deleted, the audit entry of each one that was there, and
  // the announcement of its digest.
  deleteAuditedTokens: `WITH changed AS (
      DELETE FROM tokens
      USING json_to_recordset(@targets::json)
        AS made_by (target_project_id text, target_id text, actor_token_id text, actor_version timestamptz)
      WHERE project_id = target_project_id AND id = target_id AND ${ACTOR_CONFIRMED}
      RETURNING ${TOKENS.selectList}
    ), audited AS (INSERT INTO audit_events (${AUDIT.written.join(", ")})
      SELECT given_audit.* FROM ${AUDITS_FROM_JSON} JOIN changed ON changed.id = given_audit.audit_target_id)
    SELECT changed.*, ${notify("secret_digest")} FROM changed`,
  // Updates made together: each token changed, the audit entry of each one that was there, and
  // the announcement of its digest.
  updateAuditedTokens: `WITH changed AS (${UPDATE_TOKENS_FROM_JSON}), audited AS (
      INSERT INTO audit_events (${AUDIT.written.join(", ")})
      SELECT given_audit.* FROM ${AUDITS_FROM_JSON} JOIN changed ON changed.id = given_audit.audit_target_id)
    SELECT changed.*, ${notify("secret_digest")} FROM changed`,
  // In a write's transaction: the token stays as confirmed until the write commits.
  confirmActorLocked: `${SHARED_SQL.confirmActor} FOR SHARE`,
  // Versions read together: each project's that is there.
  tokenListVersions: `SELECT id, ${POSTGRES_DIALECT.tokenListVersion} AS token_list_version
      FROM projects AS project WHERE id = ANY (@project_ids::text[])`,
  // Lookups made together: each distinct digest, with the token it finds, if any.
  findTokensByDigests: `SELECT given.digest AS looked_up, found.*
    FROM unnest(@digests::bytea[]) AS given (digest)
    CROSS JOIN LATERAL (${tokenByDigest("given.digest")}) AS found`,
  updateToken: audited(updateTokenSql(POSTGRES_DIALECT), "secret_digest"),
  deleteToken: audited(SHARED_SQL.deleteToken, "secret_digest"),
  // Announces the digest the token had before: the one other nodes have cached it under.
  rerollToken: `WITH replaced AS (
      SELECT id AS replaced_id, secret_digest AS replaced_digest FROM tokens
      WHERE project_id = @project_id AND id = @id FOR UPDATE
    ), changed AS (
      UPDATE tokens SET
        previous_secret_digest = CASE WHEN @previous_until::timestamptz IS NULL THEN NULL ELSE secret_digest END,
        previous_sealed_secret = CASE WHEN @previous_until::timestamptz IS NULL THEN NULL ELSE sealed_secret END,
        previous_secret_expires_at = @previous_until::timestamptz,
        secret_digest = @digest, sealed_secret = @sealed,
        updated_at = ${nextTokenVersion(POSTGRES_DIALECT)}
      FROM replaced WHERE id = replaced_id
      RETURNING ${TOKENS.selectList}, replaced_digest
    ), ${auditedCte("changed")}
    SELECT changed.*, ${notify("replaced_digest")} FROM changed`,
  // Only a later use moves the time and the address.
  recordTokenUses: `UPDATE tokens SET last_used_at = used.at, last_used_ip = used.ip
    FROM unnest(@token_ids::text[], @times::timestamptz[], @ips::text[]) AS used (token_id, at, ip)
    WHERE id = used.token_id AND (last_used_at IS NULL OR last_used_at < used.at)`,
  // The row is locked while it is read and spent: nodes taking uses at once queue on it.
  takeUses: `UPDATE tokens AS spent SET
      uses_remaining = found.available - least(found.available, @want),
      uses_refilled_at = found.refilled_at
    FROM (SELECT id AS found_id, ${USES.available} AS available, ${USES.refilledAt} AS refilled_at
      FROM tokens WHERE id = @id AND uses_remaining IS NOT NULL FOR UPDATE) AS found
    WHERE spent.id = found.found_id
    RETURNING least(found.available, @want) AS granted, spent.uses_remaining AS remaining,
      spent.uses_refilled_at AS refilled_at`,
  addUsage: `INSERT INTO usage_counts AS counted (subject_id, span_ms, bucket_start, allowed, refused)
    SELECT * FROM unnest(@subject_ids::text[], @spans::integer[], @starts::timestamptz[],
      @allowed::bigint[], @refused::bigint[])
    ON CONFLICT (subject_id, span_ms, bucket_start) DO UPDATE SET
      allowed = counted.allowed + excluded.allowed,
      refused = counted.refused + excluded.refused`,
  claimExpiredTokens: `WITH due AS (
      SELECT id AS due_id FROM tokens
      WHERE expires_at IS NOT NULL AND NOT expiry_recorded AND expires_at <= @now
      ORDER BY expires_at LIMIT @limit FOR UPDATE SKIP LOCKED
    ), expired AS (
      UPDATE tokens SET expiry_recorded = true FROM due WHERE id = due_id
      RETURNING ${TOKENS.selectList}
    ), audited AS (${EXPIRED_TOKEN_AUDIT} FROM expired)
    SELECT ${TOKENS.selectList} FROM expired`,
};

/**
 * The scale-out store: any number of stateless nodes on one PostgreSQL. Each statement commits
 * on its own (PostgreSQL's default synchronous commit makes it durable); a token update or
 * delete announces the token's digest on a channel every node listens to, in the same
 * statement, so the announcement is sent exactly when the change commits.
 */
export class PostgresStore extends SqlStore implements Store {
  readonly #pool: pg.Pool;
  readonly #config: pg.PoolConfig;
  readonly #own = this.compile(POSTGRES_ONLY);
  readonly #rowBuilders = new Map<string, RowBuilder>();
  #listener: RevocationListener | undefined;
  /**
   * Credential lookups, list versions, creates, updates and deletes arriving together, each
   * kind made as one statement: a burst of writes verifies its credentials in one round trip
   * and commits its tokens in another, a burst of list requests reads its versions in one.
   */
  readonly #lookups = new TickBatcher<SecretDigests, TokenRecord | undefined>(
    (lookups) => this.#findTokensByDigests(lookups),
    (digests) => super.findTokenByDigests(digests),
    { final: isOutage },
  );
  readonly #listVersions = new TickBatcher<string, string | undefined>(
    (projectIds) => this.#tokenListVersions(projectIds),
    (projectId) => super.tokenListVersion(projectId),
    { final: isOutage },
  );
  readonly #creates = new TickBatcher<AuditedCall, InsertedTokenRow[]>(
    (creates) => this.#insertAuditedTokens(creates),
    async (create) => (await this.#insertAuditedTokens([create]))[0] ?? [],
    { final: isOutage },
  );
  readonly #updates = new TickBatcher<AuditedCall, TokenRow[]>(
    (updates) => this.#updateAuditedTokens(updates),
    ({ values, audit }) =>
      this.rows<TokenRow>(this.#own.updateToken, { ...values, ...auditParameters(audit) }),
    { final: isOutage, sameTarget: targetToken },
  );
  readonly #deletes = new TickBatcher<AuditedCall, TokenRow[]>(
    (deletes) => this.#deleteAuditedTokens(deletes),
    async (only) => (await this.#deleteAuditedTokens([only]))[0] ?? [],
    { final: isOutage, sameTarget: targetToken },
  );

  /**
   * The changes made together, whose statement confirms each one's actor itself; any other change
   * made for an unconfirmed actor confirms it first, in a transaction with the change.
   */
  readonly #batched = new Map<AuditedChange, (call: AuditedCall) => Promise<unknown[]>>([
    ["insertToken", (call) => this.#creates.run(call)],
    ["updateToken", (call) => this.#updates.run(call)],
    ["deleteToken", (call) => this.#deletes.run(call)],
  ]);

  private constructor(connectionString: string, options: PostgresOptions) {
    super(POSTGRES_DIALECT);
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
  static async open(
    connectionString: string,
    options: PostgresOptions,
    migration: MigrationOptions = {},
  ): Promise<PostgresStore> {
    const store = new PostgresStore(connectionString, options);
    try {
      await store.#migrate(migration);
      return store;
    } catch (error) {
      await store.close();
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(
        `Cannot use the PostgreSQL database ${redactDatabaseUrl(connectionString)}: ${reason}`,
      );
    }
  }

  protected async rows<R>(statement: CompiledStatement, values: SqlValues): Promise<R[]> {
    return this.#rowsOf<R>(statement, await this.#query(statement, values));
  }

  /**
   * A result's rows as objects. `pg` reads rows as arrays (`rowMode: "array"`), and each
   * statement's rows are made into objects by one literal (see rowBuilder): `pg`'s own objects
   * are filled one property at a time, by a name looked up anew for every value.
   */
  #rowsOf<R>(statement: CompiledStatement, result: pg.QueryResult<unknown[]>): R[] {
    if (result.fields.length === 0) return result.rows as R[];
    let build = this.#rowBuilders.get(statement.name);
    if (!build) {
      build = rowBuilder(result.fields.map((field) => field.name));
      this.#rowBuilders.set(statement.name, build);
    }
    return result.rows.map(build) as R[];
  }

  protected async change(statement: CompiledStatement, values: SqlValues): Promise<number> {
    return (await this.#query(statement, values)).rowCount ?? 0;
  }

  /**
   * One statement: the change, a CTE that writes its audit entry and, for a token, its NOTIFY.
   * A change that announces an event writes the announcement in the same transaction.
   */
  protected async auditedChange<R>(
    change: AuditedChange,
    values: SqlValues,
    audit: NewAuditRecord,
  ): Promise<R[]> {
    // A change that announces an event writes its outbox row in a transaction of its own.
    const batch = audit.announces === undefined ? this.#batched.get(change) : undefined;
    if (!batch) return this.#audited<R>(this.#own[change], values, audit);
    const rows = (await batch({ values, audit })) as R[];
    const confirming = rows.length === 0 ? unconfirmedActor(audit.actor) : undefined;
    // An insert is refused only for its actor; an update or delete may have found no token.
    if (confirming && (change === "insertToken" || !(await this.#isConfirmed(confirming)))) {
      throw new ActorChangedError();
    }
    return rows;
  }

  async #isConfirmed(actor: SqlValues): Promise<boolean> {
    return (await this.rows(this.statements.confirmActor, actor)).length > 0;
  }

  override findTokenByDigests(digests: SecretDigests): Promise<TokenRecord | undefined> {
    return this.#lookups.run(digests);
  }

  async #findTokensByDigests(
    lookups: readonly SecretDigests[],
  ): Promise<(TokenRecord | undefined)[]> {
    const distinct = new Map(
      lookups.flatMap(({ timeLed, plain }) => [
        [timeLed.toString("hex"), timeLed],
        [plain.toString("hex"), plain],
      ]),
    );
    const rows = await this.rows<TokenRow & { looked_up: Buffer }>(this.#own.findTokensByDigests, {
      digests: [...distinct.values()],
    });
    const found = new Map(rows.map((row) => [row.looked_up.toString("hex"), toToken(row)]));
    return lookups.map(
      ({ timeLed, plain }) =>
        found.get(timeLed.toString("hex")) ?? found.get(plain.toString("hex")),
    );
  }

  override tokenListVersion(projectId: string): Promise<string | undefined> {
    return this.#listVersions.run(projectId);
  }

  async #tokenListVersions(projectIds: readonly string[]): Promise<(string | undefined)[]> {
    const rows = await this.rows<{ id: string; token_list_version: string | null }>(
      this.#own.tokenListVersions,
      { project_ids: [...new Set(projectIds)] },
    );
    const found = new Map(rows.map((row) => [row.id, row.token_list_version ?? undefined]));
    return projectIds.map((projectId) => found.get(projectId));
  }

  /** The row each delete deleted, if its token was there (a batch holds a token once). */
  async #deleteAuditedTokens(deletes: readonly AuditedCall[]): Promise<TokenRow[][]> {
    const targets = deletes.map(({ values, audit }) => ({
      target_project_id: values.project_id,
      target_id: values.id,
      ...unconfirmedActor(audit.actor),
    }));
    const rows = await this.rows<TokenRow>(this.#own.deleteAuditedTokens, {
      targets: JSON.stringify(targets),
      audits: JSON.stringify(deletes.map(({ audit }) => auditParameters(audit))),
    });
    return rowOfEachCall(deletes, rows);
  }

  /** The row each update changed, if its token was there (a batch holds a token once). */
  async #updateAuditedTokens(updates: readonly AuditedCall[]): Promise<TokenRow[][]> {
    const changes: Record<string, unknown>[] = [];
    const madeBy: Record<string, unknown>[] = [];
    for (const { values, audit } of updates) {
      const change: Record<string, unknown> = { id: values.id };
      const made: Record<string, unknown> = {
        target_project_id: values.project_id,
        target_id: values.id,
        ...unconfirmedActor(audit.actor),
      };
      for (const column of TOKENS.changed) change[column] = values[column];
      for (const column of TOKENS.clearable) made[givenFlag(column)] = values[givenFlag(column)];
      changes.push(jsonValues(change));
      madeBy.push(made);
    }
    const rows = await this.rows<TokenRow>(this.#own.updateAuditedTokens, {
      changes: JSON.stringify(changes),
      made_by: JSON.stringify(madeBy),
      audits: JSON.stringify(updates.map(({ audit }) => auditParameters(audit))),
    });
    return rowOfEachCall(updates, rows);
  }

  /** One row per create, in the order given (a batch is all inserted, or none is). */
  async #insertAuditedTokens(creates: readonly AuditedCall[]): Promise<InsertedTokenRow[][]> {
    const rows = await this.rows<InsertedTokenRow>(this.#own.insertAuditedTokens, {
      rows: JSON.stringify(creates.map(({ values }) => jsonValues(values))),
      made_by: JSON.stringify(
        creates.map(({ values, audit }) => ({ id: values.id, ...unconfirmedActor(audit.actor) })),
      ),
      audits: JSON.stringify(creates.map(({ audit }) => auditParameters(audit))),
    });
    return rowOfEachCall(creates, rows);
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

  async writeSettings(
    settings: Readonly<Record<string, string | undefined>>,
    audit?: NewAuditRecord,
  ): Promise<void> {
    const entries = Object.entries(settings);
    const values = {
      keys: entries.map(([key]) => key),
      values: entries.map(([, value]) => value ?? null),
      deleted: entries.filter(([, value]) => value === undefined).map(([key]) => key),
    };
    if (audit)
      await this.change(this.#own.writeSettingsAudited, { ...values, ...auditParameters(audit) });
    else await this.change(this.#own.writeSettings, values);
  }

  protected async insertTokenRows(
    rows: readonly SqlValues[],
    audit: NewAuditRecord,
  ): Promise<void> {
    await this.change(this.#own.insertTokens, {
      rows: JSON.stringify(rows.map(jsonValues)),
      ...auditParameters(audit),
    });
  }

  /** One transaction on one connection: the clears, then each kind of row in one statement. */
  protected async replaceRows(
    projectRows: readonly SqlValues[],
    tokenRows: readonly SqlValues[],
    audit: NewAuditRecord,
  ): Promise<void> {
    await this.#transaction(async (run) => {
      await run(this.#own.clearAll, {});
      await run(this.#own.insertProjects, { rows: JSON.stringify(projectRows.map(jsonValues)) });
      await run(this.#own.insertTokens, {
        rows: JSON.stringify(tokenRows.map(jsonValues)),
        ...auditParameters(audit),
      });
    });
  }

  protected async rerollTokenRow(
    values: SqlValues,
    audit: NewAuditRecord,
  ): Promise<RerolledRow | undefined> {
    const [row] = await this.#audited<RerolledRow>(this.#own.rerollToken, values, audit);
    return row;
  }

  async recordTokenUses(uses: readonly TokenUse[]): Promise<void> {
    await this.change(this.#own.recordTokenUses, {
      token_ids: uses.map((use) => use.tokenId),
      times: uses.map((use) => use.at),
      ips: uses.map((use) => use.ip),
    });
  }

  async takeUses(tokenId: string, want: number, now: Date): Promise<UsesLease | undefined> {
    const [row] = await this.rows<{
      granted: string;
      remaining: string;
      refilled_at: Date | null;
    }>(this.#own.takeUses, { id: tokenId, want, now });
    return (
      row && {
        granted: Number(row.granted),
        remaining: Number(row.remaining),
        refilledAt: row.refilled_at,
      }
    );
  }

  /** One statement for the whole batch: each column an array, unnested into rows. */
  async addUsage(counts: readonly UsageCount[]): Promise<void> {
    await this.change(this.#own.addUsage, {
      subject_ids: counts.map((count) => count.subjectId),
      spans: counts.map((count) => count.spanMs),
      starts: counts.map((count) => count.start),
      allowed: counts.map((count) => count.allowed),
      refused: counts.map((count) => count.refused),
    });
  }

  protected async claimExpiredTokenRows(
    now: Date,
    limit: number,
    announces: boolean,
  ): Promise<TokenRow[]> {
    if (!announces) return this.rows<TokenRow>(this.#own.claimExpiredTokens, { now, limit });
    return this.#transaction(async (run) => {
      const due = (await run(this.#own.claimExpiredTokens, { now, limit })) as TokenRow[];
      for (const token of due) {
        if (token.expires_at === null) continue;
        const occurredAt = new Date(token.expires_at);
        await this.#announce(run, { announces: "token.expired", occurredAt }, [token]);
      }
      return due;
    });
  }

  protected claimDeliveryRows(now: Date, limit: number, leaseUntil: Date): Promise<DeliveryRow[]> {
    return this.rows<DeliveryRow>(this.#own.claimDeliveries, {
      now,
      limit,
      lease_until: leaseUntil,
    });
  }

  /** An audited statement, with the announcement its audit entry asks for in its transaction. */
  async #audited<R>(
    statement: CompiledStatement,
    values: SqlValues,
    audit: NewAuditRecord,
  ): Promise<R[]> {
    const parameters = { ...values, ...auditParameters(audit) };
    const actor = unconfirmedActor(audit.actor);
    if (audit.announces === undefined && !actor) return this.rows<R>(statement, parameters);
    return this.#transaction(async (run) => {
      if (actor && (await run(this.#own.confirmActorLocked, actor)).length === 0) {
        throw new ActorChangedError();
      }
      const rows = (await run(statement, parameters)) as R[];
      await this.#announce(run, audit, rows as TokenRow[]);
      return rows;
    });
  }

  /** Writes the announcements of the changes to `rows`, if their audit entry announces one. */
  async #announce(
    run: TransactionStep,
    audit: Pick<NewAuditRecord, "announces" | "occurredAt">,
    rows: readonly TokenRow[],
  ): Promise<void> {
    const outbox = rows.flatMap((row) => announcedValues(audit, row) ?? []);
    if (outbox.length > 0) {
      await run(this.#own.insertOutboxRows, { rows: JSON.stringify(outbox.map(jsonValues)) });
    }
  }

  /** Runs `work` in one transaction on one connection: committed, or rolled back on failure. */
  async #transaction<T>(work: (run: TransactionStep) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    const run: TransactionStep = async (statement, values) =>
      this.#rowsOf(
        statement,
        await client.query<unknown[]>({
          name: statement.name,
          text: statement.text,
          values: statement.listValues(values),
          rowMode: "array",
        }),
      );
    try {
      await client.query("BEGIN");
      const result = await work(run);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw classifyPostgresError(error);
    } finally {
      client.release();
    }
  }

  /** Runs a statement, prepared once per connection under its name; rows come as arrays. */
  async #query(
    statement: CompiledStatement,
    values: SqlValues,
  ): Promise<pg.QueryResult<unknown[]>> {
    try {
      return await this.#pool.query<unknown[]>({
        name: statement.name,
        text: statement.text,
        values: statement.listValues(values),
        rowMode: "array",
      });
    } catch (error) {
      throw classifyPostgresError(error);
    }
  }

  /** What opening the database would migrate, read without writing. */
  static async planMigrations(
    connectionString: string,
    options: PostgresOptions,
    migration: MigrationOptions = {},
  ): Promise<MigrationPlan> {
    const client = new pg.Client({
      connectionString,
      connectionTimeoutMillis: options.connectTimeoutMs,
      application_name: "tokenspace",
    });
    try {
      await client.connect();
      const applied = await new PostgresMigrationAdapter(client).appliedMigrations();
      return planMigrations(applied, migrationsFor("postgres"), migration);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(
        `Cannot use the PostgreSQL database ${redactDatabaseUrl(connectionString)}: ${reason}`,
      );
    } finally {
      await client.end().catch(() => {});
    }
  }

  async #migrate(options: MigrationOptions): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await runMigrations(new PostgresMigrationAdapter(client), migrationsFor("postgres"), options);
    } finally {
      client.release();
    }
  }
}

/**
 * A row as JSON for json_populate_recordset: bytea as `\x…` hex text, times as ISO text, and
 * nulls left out (a key that is not there is null to it): a new token's row is more than half
 * nulls, which the database would otherwise parse for every token of a batch.
 */
function jsonValues(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const column in values) {
    const value = values[column];
    if (value === null) continue;
    row[column] = Buffer.isBuffer(value) ? `\\x${value.toString("hex")}` : value;
  }
  return row;
}

import { type CompiledStatement, compileStatement, type SqlDialect } from "./sql-dialect.js";
import {
  AUDIT,
  assignmentsSql,
  INSERTED_TOKEN_COLUMNS,
  insertSql,
  LISTED_TOKEN_COLUMNS,
  OUTBOX,
  PROJECTS,
  TOKEN_LISTING_COLUMNS,
  TOKENS,
} from "./tables.js";

/**
 * The statements both stores run, written once over a dialect. Each store adds only what its
 * database does differently (SQLite's multi-statement writes inside a group commit, PostgreSQL's
 * writes as one statement of CTEs with NOTIFY).
 */

const PROJECT_FAMILY = `(id = @project_id OR parent_id = @project_id)
  AND (@friendly_name::text IS NULL OR friendly_name = @friendly_name::text)`;

/** The caller's project and its subprojects, or only the one of them a filter names. */
const FAMILY_MEMBERS = `(SELECT id FROM projects
  WHERE (id = @project_id OR parent_id = @project_id)
    AND (@only_project_id::text IS NULL OR id = @only_project_id::text))`;

/** A top-level project (and not a filter for one project) also sees the service's entries. */
const SERVICE_ENTRIES = `project_id IS NULL AND @only_project_id::text IS NULL
  AND EXISTS (SELECT 1 FROM projects WHERE id = @project_id AND parent_id IS NULL)`;

const AUDIT_FILTER = `(@action::text IS NULL OR action = @action::text)
  AND (@since::timestamptz IS NULL OR occurred_at >= @since::timestamptz)
  AND (@until::timestamptz IS NULL OR occurred_at < @until::timestamptz)`;

const tokenFilter = (dialect: SqlDialect) => `(@expiring_from::timestamptz IS NULL
    OR (expires_at >= @expiring_from::timestamptz AND expires_at < @expiring_by::timestamptz))
  AND (@name_contains::text IS NULL OR ${dialect.contains(dialect.fold("name"), "@name_contains::text")})`;

/**
 * A keyset window of a list: rows after `@position` in ascending order, or before it (read
 * descending, so that the limit takes the nearest rows).
 */
function keysetWindow(select: string, condition: string) {
  return {
    after: `${select} WHERE ${condition} AND position > @position ORDER BY position ASC LIMIT @limit`,
    before: `${select} WHERE ${condition} AND position < @position ORDER BY position DESC LIMIT @limit`,
  };
}

/**
 * The statements of a filtered keyset list (see FilteredListWindow), each way. `boundary` gives
 * the positions of the `@examine`th row beyond `@position` and of the one after it, read from
 * the list's indexes alone; `rows` the rows, with `columns`, that pass `filter` beyond
 * `@position` up to `@through`. `rows(columns, clause)` is the list's rows that also meet
 * `clause` (a condition on position, an ORDER BY and a LIMIT), read in position order.
 */
function filteredList(
  columns: string,
  rows: (columns: string, clause: string) => string,
  filter: string,
) {
  const travel = (beyond: ">" | "<", order: "ASC" | "DESC") => {
    const upTo = beyond === ">" ? "<=" : ">=";
    const examined = `position ${beyond} @position ORDER BY position ${order} LIMIT @examine + 1`;
    const kept = `position ${beyond} @position AND position ${upTo} @through AND ${filter}
      ORDER BY position ${order} LIMIT @limit`;
    return {
      boundary: `SELECT position FROM (${rows("position", examined)}) AS examined
        ORDER BY position ${order} LIMIT 2 OFFSET @examine - 1`,
      rows: `SELECT * FROM (${rows(columns, kept)}) AS kept ORDER BY position ${order} LIMIT @limit`,
    };
  };
  return { after: travel(">", "ASC"), before: travel("<", "DESC") };
}

/** The token whose secret, or previous secret still honoured, has one of the digests given. */
export const tokenByDigest = (...digests: string[]) =>
  `SELECT ${TOKENS.selectList} FROM tokens WHERE secret_digest IN (${digests.join(", ")})
    UNION ALL
    SELECT ${TOKENS.selectList} FROM tokens WHERE previous_secret_digest IN (${digests.join(", ")})
    LIMIT 1`;

export type FilteredListStatements = Record<
  "after" | "before",
  Record<"boundary" | "rows", CompiledStatement>
>;

const projectFamily = keysetWindow(`SELECT ${PROJECTS.selectList} FROM projects`, PROJECT_FAMILY);
const projectTokens = keysetWindow(
  `SELECT ${TOKEN_LISTING_COLUMNS} FROM tokens`,
  "project_id = @project_id",
);

/**
 * A token's uses at `@now`: a due refill (a whole period since the last) brings them back to
 * the refill's amount, and moves the refill's anchor on by whole periods. The same rule as
 * `usesAt` in the domain, which shows what a read would find.
 */
export function usesAtNow(dialect: SqlDialect) {
  const elapsed = dialect.millisecondsBetween("uses_refilled_at", "@now::timestamptz");
  const due = `(uses_refill_every_ms IS NOT NULL AND ${elapsed} >= uses_refill_every_ms)`;
  const periods = `(${elapsed} / uses_refill_every_ms) * uses_refill_every_ms`;
  return {
    available: `CASE WHEN ${due} THEN uses_refill_amount ELSE uses_remaining END`,
    refilledAt: `CASE WHEN ${due} THEN ${dialect.plusMilliseconds("uses_refilled_at", periods)} ELSE uses_refilled_at END`,
  };
}

/** A bucket's counts, summed over the subjects the condition selects. */
const usageBuckets = (subjects: string) => `SELECT bucket_start, sum(allowed) AS allowed,
      sum(refused) AS refused
    FROM usage_counts
    WHERE ${subjects} AND span_ms = @span_ms AND bucket_start >= @since::timestamptz
    GROUP BY bucket_start ORDER BY bucket_start LIMIT @limit`;

/**
 * A token's new `updated_at`: the change's time, or a millisecond past the one it had when two
 * changes come closer than the clock tells apart. Every change moves it on, so it names the
 * token's version, by which a write confirms the token it was made by (`actorIsAt`). `given` is
 * the change's time: a parameter, or a column of the changes a batch is given.
 */
export function nextTokenVersion(dialect: SqlDialect, given = "@updated_at::timestamptz"): string {
  return `CASE WHEN ${given} > updated_at THEN ${given}
    ELSE ${dialect.plusMilliseconds("updated_at", "1")} END`;
}

/**
 * An update of a token's fields, its version moved on, made only if its actor is confirmed
 * (`@actor_token_id`, `@actor_version`: see actorConfirmed).
 */
export function updateTokenSql(dialect: SqlDialect): string {
  return `UPDATE tokens SET ${assignmentsSql(TOKENS, { updated_at: nextTokenVersion(dialect) })}
        WHERE project_id = @project_id AND id = @id
          AND ${actorConfirmed(dialect, "@actor_token_id", "@actor_version::timestamptz")}
        RETURNING ${TOKENS.selectList}`;
}

/**
 * A write's condition on its actor: none without a version (the credential was checked against
 * the store), else `actorIsAt`, looked up by the actor's id for each row written (see
 * SqlDialect.probedPerRow and PostgresStore's batches).
 */
export function actorConfirmed(dialect: SqlDialect, tokenId: string, version: string): string {
  const actor = `SELECT 1 FROM tokens AS actor WHERE ${actorIsAt(tokenId, version)}`;
  return `(${version} IS NULL OR EXISTS (${dialect.probedPerRow(actor)}))`;
}

/**
 * The condition that the token `actor` (aliased so) is the one a write's credential was
 * verified as: there, enabled, and at the version verified (`updated_at`, which every change
 * moves on).
 */
function actorIsAt(tokenId: string, version: string): string {
  return `actor.id = ${tokenId} AND actor.updated_at = ${version} AND actor.enabled`;
}

/** The statements that read the same in both dialects. */
export const SHARED_SQL = {
  ping: "SELECT 1",
  readSetting: "SELECT value FROM settings WHERE key = @key",
  initSetting:
    "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO NOTHING",
  findProject: `SELECT ${PROJECTS.selectList} FROM projects WHERE id = @id`,
  listProjectFamilyAfter: projectFamily.after,
  listProjectFamilyBefore: projectFamily.before,
  countProjects: "SELECT count(*) AS count FROM projects",
  listProjects: `SELECT ${PROJECTS.selectList} FROM projects ORDER BY position`,
  insertProject: insertSql(PROJECTS),
  updateProject: `UPDATE projects SET ${assignmentsSql(PROJECTS)} WHERE id = @id
        RETURNING ${PROJECTS.selectList}`,
  insertToken: insertSql(TOKENS, { returning: INSERTED_TOKEN_COLUMNS }),
  findToken: `SELECT ${TOKENS.selectList} FROM tokens WHERE project_id = @project_id AND id = @id`,
  findTokenById: `SELECT ${TOKENS.selectList} FROM tokens WHERE id = @id`,
  findTokenByDigests: tokenByDigest("@time_led", "@plain"),
  // The token a write was made by, still as it was verified (see Actor.unconfirmedTokenVersion).
  confirmActor: `SELECT 1 AS confirmed FROM tokens AS actor
        WHERE ${actorIsAt("@actor_token_id", "@actor_version::timestamptz")}`,
  deleteToken: `DELETE FROM tokens WHERE project_id = @project_id AND id = @id
        RETURNING ${TOKENS.selectList}`,
  listTokensAfter: projectTokens.after,
  listTokensBefore: projectTokens.before,
  listAllTokens: `SELECT ${TOKENS.selectList} FROM tokens WHERE position > @position
        ORDER BY position ASC LIMIT @limit`,
  insertAudit: insertSql(AUDIT, { returning: false, prefix: "audit_" }),
  insertOutbox: insertSql(OUTBOX, { returning: false }),
  settleDelivery: `UPDATE webhook_outbox SET attempts = attempts + 1,
          delivered_at = @delivered_at, failed_at = @failed_at, last_error = @last_error,
          next_attempt_at = coalesce(@retry_at, next_attempt_at)
        WHERE id = @id`,
  pruneDeliveries: `DELETE FROM webhook_outbox WHERE position IN (
        SELECT position FROM webhook_outbox
        WHERE coalesce(delivered_at, failed_at) < @before::timestamptz
        ORDER BY position LIMIT @limit)`,
  listFailedDeliveries: `SELECT ${OUTBOX.selectList} FROM webhook_outbox
        WHERE failed_at IS NOT NULL ORDER BY failed_at DESC LIMIT @limit`,
  auditBatchEnd: `SELECT max(position) AS through FROM (SELECT position FROM audit_events
        WHERE position > @position ORDER BY position LIMIT @limit) AS batch`,
  pruneAudit: `DELETE FROM audit_events WHERE position > @position AND position <= @through
        AND occurred_at < @before::timestamptz`,
  giveBackUses: `UPDATE tokens SET uses_remaining = uses_remaining + @count
        WHERE id = @id AND uses_remaining IS NOT NULL AND updated_at = @updated_at::timestamptz
          AND uses_refilled_at IS NOT DISTINCT FROM @refilled_at::timestamptz`,
  addUsage: `INSERT INTO usage_counts (subject_id, span_ms, bucket_start, allowed, refused)
        VALUES (@subject_id, @span_ms, @bucket_start, @allowed, @refused)
        ON CONFLICT (subject_id, span_ms, bucket_start) DO UPDATE SET
          allowed = usage_counts.allowed + excluded.allowed,
          refused = usage_counts.refused + excluded.refused`,
  tokenUsage: usageBuckets("subject_id = @subject_id"),
  familyUsage: usageBuckets(`subject_id IN ${FAMILY_MEMBERS}`),
  pruneUsage: `DELETE FROM usage_counts WHERE (subject_id, span_ms, bucket_start) IN (
        SELECT subject_id, span_ms, bucket_start FROM usage_counts
        WHERE bucket_start < @before::timestamptz ORDER BY bucket_start LIMIT @limit)`,
  resealToken: `UPDATE tokens SET secret_digest = @digest, sealed_secret = @sealed,
          previous_secret_digest = @previous_digest, previous_sealed_secret = @previous_sealed
        WHERE id = @id AND secret_digest = @expected_digest`,
  resealSigningKey: `UPDATE projects SET signing_key_digest = @digest, sealed_signing_key = @sealed
        WHERE id = @id AND signing_key_digest = @expected_digest`,
};

function filteredLists(dialect: SqlDialect) {
  return {
    familyTokens: filteredList(
      LISTED_TOKEN_COLUMNS,
      (columns, clause) => dialect.familyRows("tokens", columns, clause),
      tokenFilter(dialect),
    ),
    // Two arms, each read in position order from its own index and stopped by its LIMIT.
    audit: filteredList(
      AUDIT.selectList,
      (columns, clause) =>
        `SELECT * FROM (${dialect.familyRows("audit_events", columns, clause)}) AS family
           UNION ALL
           SELECT * FROM (SELECT ${columns} FROM audit_events
             WHERE ${SERVICE_ENTRIES} AND ${clause}) AS service`,
      AUDIT_FILTER,
    ),
    // One target's entries, from its own index; they are all in scope or none is.
    targetAudit: filteredList(
      AUDIT.selectList,
      (columns, clause) =>
        `SELECT ${columns} FROM audit_events
           WHERE target_id = @target_id
             AND (project_id IN ${FAMILY_MEMBERS} OR (${SERVICE_ENTRIES}))
             AND ${clause}`,
      AUDIT_FILTER,
    ),
  };
}

/** The version of one project's token list (see SqlDialect.tokenListVersion). */
function tokenListVersionSql(dialect: SqlDialect): string {
  return `SELECT ${dialect.tokenListVersion} AS token_list_version
        FROM projects AS project WHERE id = @id`;
}

export type StoreStatements = Record<
  keyof typeof SHARED_SQL | "updateToken" | "tokenListVersion",
  CompiledStatement
> &
  Record<keyof ReturnType<typeof filteredLists>, FilteredListStatements>;

/** Statements written as `@name` SQL, compiled for `dialect`. */
export function compileStatements<const Names extends string>(
  dialect: SqlDialect,
  texts: Readonly<Record<Names, string>>,
): Record<Names, CompiledStatement> {
  const compiled: Partial<Record<Names, CompiledStatement>> = {};
  for (const name of Object.keys(texts) as Names[]) {
    compiled[name] = compileStatement(dialect, name, texts[name]);
  }
  return compiled as Record<Names, CompiledStatement>;
}

/** The shared statements, compiled for `dialect`. */
export function storeStatements(dialect: SqlDialect): StoreStatements {
  const compiled: Record<string, CompiledStatement | FilteredListStatements> = {
    ...compileStatements(dialect, SHARED_SQL),
    updateToken: compileStatement(dialect, "updateToken", updateTokenSql(dialect)),
    tokenListVersion: compileStatement(dialect, "tokenListVersion", tokenListVersionSql(dialect)),
  };
  for (const [name, list] of Object.entries(filteredLists(dialect))) {
    const way = (direction: "after" | "before") => ({
      boundary: compileStatement(
        dialect,
        `${name}_${direction}_boundary`,
        list[direction].boundary,
      ),
      rows: compileStatement(dialect, `${name}_${direction}`, list[direction].rows),
    });
    compiled[name] = { after: way("after"), before: way("before") };
  }
  return compiled as StoreStatements;
}

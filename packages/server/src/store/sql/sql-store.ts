import type { SecretDigests } from "../../domain/secret-vault.js";
import type {
  AuditFilter,
  AuditPruneBatch,
  AuditRecord,
  DeliveryOutcome,
  DeliveryRecord,
  FilteredListWindow,
  FilteredRows,
  ListedTokenRecord,
  ListWindow,
  NewAuditRecord,
  NewProjectRecord,
  NewTokenRecord,
  ProjectChangeSet,
  ProjectRecord,
  SealedSecret,
  Store,
  TokenChangeSet,
  TokenFilter,
  TokenListing,
  TokenRecord,
  TokenReroll,
  UsageRow,
  UsageScope,
} from "../../domain/store.js";
import type { CompiledStatement, SqlDialect, SqlValues } from "./sql-dialect.js";
import {
  compileStatements,
  type FilteredListStatements,
  type StoreStatements,
  storeStatements,
} from "./store-statements.js";
import {
  type AuditRow,
  actorCondition,
  type DeliveryRow,
  type ListedTokenRow,
  type ProjectRow,
  projectChangeValues,
  projectValues,
  type TokenListingRow,
  type TokenRow,
  toAudit,
  toDelivery,
  tokenChangeValues,
  tokenValues,
  toListedToken,
  toProject,
  toToken,
  toTokenListing,
} from "./tables.js";

export type RerolledRow = TokenRow & { replaced_digest: Buffer };

/** How much of a failed attempt's error is kept: enough to tell what went wrong. */
const MAX_DELIVERY_ERROR_LENGTH = 500;

/** The single-row changes that are recorded in the audit log as they are made. */
export type AuditedChange =
  | "insertProject"
  | "updateProject"
  | "insertToken"
  | "updateToken"
  | "deleteToken";

/** The part of the Store that both databases serve with the same statements. */
type Shared =
  | "insertTokens"
  | "rerollToken"
  | "claimExpiredTokens"
  | "claimDeliveries"
  | "settleDelivery"
  | "listFailedDeliveries"
  | "insertProject"
  | "updateProject"
  | "insertToken"
  | "updateToken"
  | "deleteToken"
  | "ping"
  | "readSetting"
  | "initSetting"
  | "findProject"
  | "listProjectFamily"
  | "countProjects"
  | "listProjects"
  | "findToken"
  | "findTokenById"
  | "findTokenByDigests"
  | "listTokens"
  | "tokenListVersion"
  | "listFamilyTokens"
  | "listAudit"
  | "listAllTokens"
  | "pruneAudit"
  | "pruneDeliveries"
  | "resealToken"
  | "resealSigningKey"
  | "giveBackUses"
  | "readUsage"
  | "pruneUsage";

/**
 * What the SQL stores share: reads, lists and the single-statement writes, over the two
 * primitives each store implements for its driver.
 */
export abstract class SqlStore implements Pick<Store, Shared> {
  protected readonly statements: StoreStatements;
  readonly #dialect: SqlDialect;

  protected constructor(dialect: SqlDialect) {
    this.#dialect = dialect;
    this.statements = storeStatements(dialect);
  }

  /** A store's own statements, compiled for its dialect. */
  protected compile<const Names extends string>(
    texts: Readonly<Record<Names, string>>,
  ): Record<Names, CompiledStatement> {
    return compileStatements(this.#dialect, texts);
  }

  /** Runs a statement that reads, or writes and returns rows. */
  protected abstract rows<R>(statement: CompiledStatement, values: SqlValues): Promise<R[]>;

  /** Runs a statement that writes, as a write of its own; resolves to the rows it changed. */
  protected abstract change(statement: CompiledStatement, values: SqlValues): Promise<number>;

  /**
   * Runs a change that returns the row it changed, recording `audit` in the same transaction
   * exactly when there is such a row.
   */
  protected abstract auditedChange<R>(
    change: AuditedChange,
    values: SqlValues,
    audit: NewAuditRecord,
  ): Promise<R[]>;

  /** Inserts the rows, recording `audit` once for all of them, in one transaction. */
  protected abstract insertTokenRows(
    rows: readonly SqlValues[],
    audit: NewAuditRecord,
  ): Promise<void>;

  /**
   * Gives the token `@project_id`/`@id` its new secret (`@digest`, `@sealed`), keeping the one it
   * replaces until `@previous_until` (or not, when null); returns the row with the digest it
   * replaced, and records `audit`, when there is such a token.
   */
  protected abstract rerollTokenRow(
    values: SqlValues,
    audit: NewAuditRecord,
  ): Promise<RerolledRow | undefined>;

  /**
   * In one transaction: every project, token and audit entry deleted, then the project rows and
   * the token rows inserted, and `audit` recorded once.
   */
  protected abstract replaceRows(
    projectRows: readonly SqlValues[],
    tokenRows: readonly SqlValues[],
    audit: NewAuditRecord,
  ): Promise<void>;

  /** Marks up to `limit` tokens whose expiry passed by `now` as recorded, auditing each. */
  protected abstract claimExpiredTokenRows(
    now: Date,
    limit: number,
    announces: boolean,
  ): Promise<TokenRow[]>;

  /** Leases up to `limit` deliveries due by `now` until `leaseUntil`, oldest due first. */
  protected abstract claimDeliveryRows(
    now: Date,
    limit: number,
    leaseUntil: Date,
  ): Promise<DeliveryRow[]>;

  async ping(): Promise<void> {
    await this.rows(this.statements.ping, {});
  }

  async readSetting(key: string): Promise<string | undefined> {
    const [row] = await this.rows<{ value: string }>(this.statements.readSetting, { key });
    return row?.value;
  }

  /**
   * Read in a statement of its own after the insert: where another node's insert won, the
   * insert's snapshot (taken before the winner committed) would not see its row.
   */
  async initSetting(key: string, value: string): Promise<string> {
    await this.change(this.statements.initSetting, { key, value });
    const stored = await this.readSetting(key);
    if (stored === undefined) throw new Error(`setting ${key} vanished while being written`);
    return stored;
  }

  insertProject(project: NewProjectRecord, audit: NewAuditRecord): Promise<ProjectRecord> {
    return this.#audited(
      "insertProject",
      projectValues(project),
      audit,
      toProject,
    ) as Promise<ProjectRecord>;
  }

  updateProject(id: string, changes: ProjectChangeSet, audit: NewAuditRecord) {
    return this.#audited(
      "updateProject",
      { id, ...projectChangeValues(changes) },
      audit,
      toProject,
    );
  }

  async insertToken(token: NewTokenRecord, audit: NewAuditRecord): Promise<void> {
    await this.auditedChange("insertToken", tokenValues(token), audit);
  }

  async insertTokens(tokens: readonly NewTokenRecord[], audit: NewAuditRecord): Promise<void> {
    await this.insertTokenRows(tokens.map(tokenValues), audit);
  }

  async replaceContents(
    projects: readonly NewProjectRecord[],
    tokens: readonly NewTokenRecord[],
    audit: NewAuditRecord,
  ): Promise<void> {
    await this.replaceRows(projects.map(projectValues), tokens.map(tokenValues), audit);
  }

  updateToken(projectId: string, tokenId: string, changes: TokenChangeSet, audit: NewAuditRecord) {
    const values = {
      project_id: projectId,
      id: tokenId,
      ...tokenChangeValues(changes),
      ...actorCondition(audit.actor),
    };
    return this.#audited("updateToken", values, audit, toToken);
  }

  async rerollToken(
    projectId: string,
    tokenId: string,
    reroll: TokenReroll,
    audit: NewAuditRecord,
  ) {
    const row = await this.rerollTokenRow(
      {
        project_id: projectId,
        id: tokenId,
        digest: reroll.secret.digest,
        sealed: reroll.secret.sealed,
        previous_until: reroll.previousSecretExpiresAt,
        updated_at: reroll.updatedAt,
      },
      audit,
    );
    return row && { token: toToken(row), replacedDigest: row.replaced_digest };
  }

  deleteToken(projectId: string, tokenId: string, audit: NewAuditRecord) {
    return this.#audited("deleteToken", { project_id: projectId, id: tokenId }, audit, toToken);
  }

  async claimExpiredTokens(now: Date, limit: number, announces: boolean): Promise<TokenRecord[]> {
    return (await this.claimExpiredTokenRows(now, limit, announces)).map(toToken);
  }

  async claimDeliveries(now: Date, limit: number, leaseUntil: Date): Promise<DeliveryRecord[]> {
    return (await this.claimDeliveryRows(now, limit, leaseUntil)).map(toDelivery);
  }

  async settleDelivery(id: string, outcome: DeliveryOutcome): Promise<void> {
    await this.change(this.statements.settleDelivery, {
      id,
      delivered_at: "delivered" in outcome ? outcome.delivered : null,
      failed_at: "failed" in outcome ? outcome.failed : null,
      retry_at: "retryAt" in outcome ? outcome.retryAt : null,
      last_error: "error" in outcome ? outcome.error.slice(0, MAX_DELIVERY_ERROR_LENGTH) : null,
    });
  }

  async listFailedDeliveries(limit: number): Promise<DeliveryRecord[]> {
    const rows = await this.rows<DeliveryRow>(this.statements.listFailedDeliveries, { limit });
    return rows.map(toDelivery);
  }

  async findProject(id: string): Promise<ProjectRecord | undefined> {
    const [row] = await this.rows<ProjectRow>(this.statements.findProject, { id });
    return row && toProject(row);
  }

  async listProjectFamily(
    projectId: string,
    window: ListWindow,
    friendlyName?: string,
  ): Promise<ProjectRecord[]> {
    const rows = await this.#inWindow<ProjectRow>(
      this.statements.listProjectFamilyAfter,
      this.statements.listProjectFamilyBefore,
      { project_id: projectId, friendly_name: friendlyName ?? null },
      window,
    );
    return rows.map(toProject);
  }

  async countProjects(): Promise<number> {
    const [row] = await this.rows<{ count: number | string }>(this.statements.countProjects, {});
    return Number(row?.count ?? 0);
  }

  async listProjects(): Promise<ProjectRecord[]> {
    return (await this.rows<ProjectRow>(this.statements.listProjects, {})).map(toProject);
  }

  async findToken(projectId: string, tokenId: string): Promise<TokenRecord | undefined> {
    const [row] = await this.rows<TokenRow>(this.statements.findToken, {
      project_id: projectId,
      id: tokenId,
    });
    return row && toToken(row);
  }

  async findTokenById(tokenId: string): Promise<TokenRecord | undefined> {
    const [row] = await this.rows<TokenRow>(this.statements.findTokenById, { id: tokenId });
    return row && toToken(row);
  }

  async findTokenByDigests(digests: SecretDigests): Promise<TokenRecord | undefined> {
    const [row] = await this.rows<TokenRow>(this.statements.findTokenByDigests, {
      time_led: digests.timeLed,
      plain: digests.plain,
    });
    return row && toToken(row);
  }

  async listTokens(projectId: string, window: ListWindow): Promise<TokenListing[]> {
    const rows = await this.#inWindow<TokenListingRow>(
      this.statements.listTokensAfter,
      this.statements.listTokensBefore,
      { project_id: projectId },
      window,
    );
    return rows.map(toTokenListing);
  }

  async tokenListVersion(projectId: string): Promise<string | undefined> {
    const [row] = await this.rows<{ token_list_version: string | null }>(
      this.statements.tokenListVersion,
      { id: projectId },
    );
    return row?.token_list_version ?? undefined;
  }

  async listAllTokens(afterPosition: number, limit: number): Promise<TokenRecord[]> {
    const rows = await this.rows<TokenRow>(this.statements.listAllTokens, {
      position: afterPosition,
      limit,
    });
    return rows.map(toToken);
  }

  async listFamilyTokens(
    projectId: string,
    window: FilteredListWindow,
    filter: TokenFilter = {},
  ): Promise<FilteredRows<ListedTokenRecord>> {
    const found = await this.#inFilteredWindow<ListedTokenRow>(
      this.statements.familyTokens,
      {
        project_id: projectId,
        only_project_id: filter.projectId ?? null,
        name_contains: filter.nameContains?.toLowerCase() ?? null,
        expiring_from: filter.expiring?.from ?? null,
        expiring_by: filter.expiring?.by ?? null,
      },
      hasCondition(filter.nameContains, filter.expiring),
      window,
    );
    return { ...found, rows: found.rows.map(toListedToken) };
  }

  async listAudit(
    projectId: string,
    filter: AuditFilter,
    window: FilteredListWindow,
  ): Promise<FilteredRows<AuditRecord>> {
    const found = await this.#inFilteredWindow<AuditRow>(
      filter.targetId === undefined ? this.statements.audit : this.statements.targetAudit,
      {
        project_id: projectId,
        only_project_id: filter.projectId ?? null,
        target_id: filter.targetId ?? null,
        action: filter.action ?? null,
        since: filter.since ?? null,
        until: filter.until ?? null,
      },
      hasCondition(filter.action, filter.since, filter.until),
      window,
    );
    return { ...found, rows: found.rows.map(toAudit) };
  }

  async giveBackUses(
    tokenId: string,
    count: number,
    lease: { readonly updatedAt: Date; readonly refilledAt: Date | null },
  ): Promise<void> {
    await this.change(this.statements.giveBackUses, {
      id: tokenId,
      count,
      updated_at: lease.updatedAt,
      refilled_at: lease.refilledAt,
    });
  }

  async readUsage(
    scope: UsageScope,
    spanMs: number,
    since: Date,
    limit: number,
  ): Promise<UsageRow[]> {
    const values = { span_ms: spanMs, since, limit };
    const rows = await this.rows<{
      bucket_start: number | Date;
      allowed: number | string;
      refused: number | string;
    }>(
      "tokenId" in scope ? this.statements.tokenUsage : this.statements.familyUsage,
      "tokenId" in scope
        ? { ...values, subject_id: scope.tokenId }
        : { ...values, project_id: scope.projectId, only_project_id: scope.onlyProjectId ?? null },
    );
    return rows.map((row) => ({
      start: new Date(row.bucket_start),
      allowed: Number(row.allowed),
      refused: Number(row.refused),
    }));
  }

  async pruneUsage(before: Date, limit: number): Promise<number> {
    return this.change(this.statements.pruneUsage, { before, limit });
  }

  async pruneAudit(before: Date, after: number, limit: number): Promise<AuditPruneBatch> {
    const [end] = await this.rows<{ through: number | string | null }>(
      this.statements.auditBatchEnd,
      { position: after, limit },
    );
    if (end?.through == null) return { deleted: 0, through: null };
    const through = Number(end.through);
    const values = { position: after, through, before };
    return { deleted: await this.change(this.statements.pruneAudit, values), through };
  }

  async pruneDeliveries(before: Date, limit: number): Promise<number> {
    return this.change(this.statements.pruneDeliveries, { before, limit });
  }

  async resealToken(
    id: string,
    expectedDigest: Buffer,
    sealed: SealedSecret,
    previous: SealedSecret | null,
  ): Promise<boolean> {
    const changed = await this.change(this.statements.resealToken, {
      id,
      expected_digest: expectedDigest,
      digest: sealed.digest,
      sealed: sealed.sealed,
      previous_digest: previous?.digest ?? null,
      previous_sealed: previous?.sealed ?? null,
    });
    return changed === 1;
  }

  async resealSigningKey(
    id: string,
    expectedDigest: Buffer,
    sealed: SealedSecret,
  ): Promise<boolean> {
    const changed = await this.change(this.statements.resealSigningKey, {
      id,
      expected_digest: expectedDigest,
      digest: sealed.digest,
      sealed: sealed.sealed,
    });
    return changed === 1;
  }

  async #audited<R, T>(
    change: AuditedChange,
    values: SqlValues,
    audit: NewAuditRecord,
    toRecord: (row: R) => T,
  ): Promise<T | undefined> {
    const [row] = await this.auditedChange<R>(change, values, audit);
    return row && toRecord(row);
  }

  /**
   * A keyset window: rows after a position in ascending order, or before one (read descending,
   * so the limit takes the nearest rows, then put back in ascending order).
   */
  async #inWindow<R>(
    after: CompiledStatement,
    before: CompiledStatement,
    values: SqlValues,
    window: ListWindow,
  ): Promise<R[]> {
    const backwards = window.before !== undefined;
    const rows = await this.rows<R>(backwards ? before : after, {
      ...values,
      position: window.before ?? window.after ?? 0,
      limit: window.limit,
    });
    return backwards ? rows.reverse() : rows;
  }

  /**
   * A filtered keyset window (see FilteredListWindow and FilteredRows): first where the
   * `examine`th row beyond the cursor is, from the list's indexes alone; then the rows that pass
   * the filter up to there. With no filter condition every row passes, so the page's own LIMIT
   * bounds the read and no boundary is needed.
   */
  async #inFilteredWindow<R>(
    list: FilteredListStatements,
    values: SqlValues,
    filtered: boolean,
    window: FilteredListWindow,
  ): Promise<FilteredRows<R>> {
    const backwards = window.before !== undefined;
    const { boundary, rows } = backwards ? list.before : list.after;
    const position = window.before ?? window.after ?? 0;
    const [last, beyond] = filtered
      ? await this.rows<{ position: number | string }>(boundary, {
          ...values,
          position,
          examine: window.examine,
        })
      : [];
    const examinedThrough = last && beyond ? Number(last.position) : undefined;
    const through = examinedThrough ?? (backwards ? 0 : Number.MAX_SAFE_INTEGER);
    const found = await this.rows<R>(rows, { ...values, position, through, limit: window.limit });
    return {
      rows: backwards ? found.reverse() : found,
      examinedThrough: found.length < window.limit ? examinedThrough : undefined,
    };
  }
}

const hasCondition = (...conditions: unknown[]) =>
  conditions.some((condition) => condition !== undefined);

import { AUDIT_ACTIONS, type AuditAction, type AuditEntry } from "@tokenspace/contract";
import type { Actor } from "./actor.js";
import type { Clock } from "./clock.js";
import { DURATION_FORMAT } from "./duration.js";
import { ValidationError } from "./errors.js";
import { isUuid, normalizeId } from "./identifiers.js";
import {
  LIST_ORDERS,
  type ListOrder,
  type Page,
  type PageQuery,
  readFilteredPage,
} from "./keyset-page.js";
import type { AuditFilter, AuditRecord, NewAuditRecord, Store } from "./store.js";
import { instantOf } from "./timestamp.js";
import {
  invalidParameter,
  invalidProjectIdFilter,
  type ValidationProblem,
} from "./validation-problem.js";

/** What a change was made to, as the audit log names it. */
export interface AuditTarget {
  readonly type: NewAuditRecord["targetType"];
  readonly id: string | null;
  /** The project the target belongs to; null for the whole service. */
  readonly projectId: string | null;
}

export function auditEntry(
  action: AuditAction,
  target: AuditTarget,
  actor: Actor,
  at: Date,
  details: Readonly<Record<string, unknown>> = {},
): NewAuditRecord {
  return {
    action,
    projectId: target.projectId,
    targetType: target.type,
    targetId: target.id,
    actor,
    details,
    occurredAt: at,
  };
}

/** An audit list's filters as a request spells them, before they are checked. */
interface AuditQuery {
  readonly target?: string;
  /** Only entries of this project of the family. */
  readonly projectId?: string;
  /** Oldest first (the default) or newest first. */
  readonly order?: string;
  readonly action?: string;
  /** An RFC 3339 time, or a duration back from now ("24h"). */
  readonly since?: string;
  readonly until?: string;
}

const ACTIONS_TEXT = AUDIT_ACTIONS.join(", ");

/** Reads the audit log: a project's entries, its subprojects' and the whole service's. */
export class AuditLog {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async list(projectId: string, query: AuditQuery, page: PageQuery): Promise<Page<AuditRecord>> {
    const filter = this.#filter(query);
    return readFilteredPage((window) => this.store.listAudit(projectId, filter, window), {
      ...page,
      order: query.order as ListOrder | undefined,
    });
  }

  /**
   * Retention: deletes the entries older than `days`, the webhook deliveries settled (delivered
   * or given up on) and the usage counts from before then, in batches; returns how many entries
   * went.
   */
  async prune(days: number, batchSize: number): Promise<number> {
    const before = new Date(this.clock.now().getTime() - days * 86_400_000);
    await inBatches(batchSize, () => this.store.pruneDeliveries(before, batchSize));
    await inBatches(batchSize, () => this.store.pruneUsage(before, batchSize));
    return this.#pruneEntries(before, batchSize);
  }

  /**
   * Reads the log in batches by position (the order entries were written, which follows their
   * time), deleting those older than `before`, and stops after a batch with none: no index by
   * time is kept for this, which every audited write would pay for. An entry from a clock set
   * ahead stays until its time without holding back those behind it; one from a clock set back
   * behind a whole batch of newer entries waits until they go.
   */
  async #pruneEntries(before: Date, batchSize: number): Promise<number> {
    let deleted = 0;
    let after = 0;
    for (;;) {
      const batch = await this.store.pruneAudit(before, after, batchSize);
      deleted += batch.deleted;
      if (batch.through === null || batch.deleted === 0) return deleted;
      after = batch.through;
      await nextTurn();
    }
  }

  #filter(query: AuditQuery): AuditFilter {
    const problems: ValidationProblem[] = [];
    const invalid = (attribute: string, expected: string) =>
      problems.push(invalidParameter(attribute, expected));
    if (query.target !== undefined && !isUuid(query.target))
      invalid("target", "a token or project id (a UUID)");
    const projectIdProblem = invalidProjectIdFilter(query.projectId);
    if (projectIdProblem) problems.push(projectIdProblem);
    if (query.order !== undefined && !(LIST_ORDERS as readonly string[]).includes(query.order))
      invalid("order", `one of: ${LIST_ORDERS.join(", ")}`);
    if (
      query.action !== undefined &&
      !(AUDIT_ACTIONS as readonly string[]).includes(query.action)
    ) {
      invalid("action", `one of: ${ACTIONS_TEXT}`);
    }
    const since = query.since === undefined ? undefined : this.#instant(query.since);
    if (since === null) invalid("since", `an RFC 3339 time or ${DURATION_FORMAT} (back from now)`);
    const until = query.until === undefined ? undefined : this.#instant(query.until);
    if (until === null) invalid("until", `an RFC 3339 time or ${DURATION_FORMAT} (back from now)`);
    const [first, ...rest] = problems;
    if (first) throw new ValidationError([first, ...rest]);
    return {
      ...(query.target !== undefined && { targetId: normalizeId(query.target) }),
      ...(query.projectId !== undefined && { projectId: normalizeId(query.projectId) }),
      ...(query.action !== undefined && { action: query.action as AuditAction }),
      ...(since && { since }),
      ...(until && { until }),
    };
  }

  #instant(value: string): Date | null {
    return instantOf(value, this.clock.now());
  }
}

/** An entry as the extension surface shows it. */
export function auditEntryView(record: AuditRecord): AuditEntry {
  return {
    id: record.position,
    action: record.action,
    project_id: record.projectId,
    target: { type: record.targetType, id: record.targetId },
    actor: { project_id: record.actor.projectId, token_id: record.actor.tokenId },
    request_id: record.actor.requestId,
    client_address: record.actor.clientAddress,
    details: record.details,
    occurred_at: record.occurredAt.toISOString(),
  };
}

/** Runs `deleteBatch` until a batch comes back short, yielding between batches; the total. */
async function inBatches(batchSize: number, deleteBatch: () => Promise<number>): Promise<number> {
  let deleted = 0;
  for (;;) {
    const batch = await deleteBatch();
    deleted += batch;
    if (batch < batchSize) return deleted;
    await nextTurn();
  }
}

/** Lets the event loop serve what waits between two batches. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

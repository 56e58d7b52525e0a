import type { AuditLog } from "./audit-log.js";
import type { Clock } from "./clock.js";
import type { LifecycleEvents } from "./lifecycle-events.js";
import type { Store } from "./store.js";

const EXPIRIES_PER_CLAIM = 100;
const AUDIT_PRUNE_BATCH = 1000;

interface MaintenanceOptions {
  /** Audit entries older than this many days are deleted. */
  readonly auditRetentionDays: number;
  readonly onError: (error: unknown) => void;
}

/**
 * The work no request triggers: passed expiries recorded in the audit log and announced (the
 * auth check itself refuses an expired token from its expiry on, whether or not this ran), and
 * audit entries past retention pruned. Every node runs it; the store hands each expiry to one.
 */
export class Maintenance {
  #timers: NodeJS.Timeout[] = [];
  #running: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly events: LifecycleEvents,
    private readonly clock: Clock,
    private readonly options: MaintenanceOptions,
  ) {}

  start({ expiriesEveryMs, pruneEveryMs }: { expiriesEveryMs: number; pruneEveryMs: number }) {
    const every = (ms: number, work: () => Promise<unknown>) => {
      const timer = setInterval(() => void this.#serially(work), ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(expiriesEveryMs, () => this.recordExpiries());
    every(pruneEveryMs, () => this.pruneAudit());
    void this.#serially(() => this.pruneAudit());
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    await this.#running;
  }

  /** Records every expiry that has passed, announcing each (in the same write); returns how many. */
  async recordExpiries(): Promise<number> {
    let recorded = 0;
    for (;;) {
      const expired = await this.store.claimExpiredTokens(
        this.clock.now(),
        EXPIRIES_PER_CLAIM,
        this.events.announcing,
      );
      if (expired.length > 0 && this.events.announcing) this.events.announced();
      recorded += expired.length;
      if (expired.length < EXPIRIES_PER_CLAIM) return recorded;
    }
  }

  pruneAudit(): Promise<number> {
    return this.audit.prune(this.options.auditRetentionDays, AUDIT_PRUNE_BATCH);
  }

  #serially(work: () => Promise<unknown>): Promise<void> {
    this.#running = this.#running
      .then(() => work())
      .then(
        () => {},
        (error: unknown) => this.options.onError(error),
      );
    return this.#running;
  }
}

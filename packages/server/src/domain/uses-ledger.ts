import type { Clock } from "./clock.js";
import type { MaybeAsync } from "./maybe-async.js";
import type { Store } from "./store.js";

/**
 * A lease's size follows how fast a token's uses are spent here: it doubles when the last lease
 * lasted under LEASE_SPAN_MS and halves when it lasted longer, so a token verified thousands of
 * times a second takes about a tenth of a second's worth at a time (a store write a few times
 * a second instead of hundreds), and a token used now and then one use at a time. It never
 * takes more than MAX_LEASE, nor more than a LEASE_SHARE-th of what is left.
 */
const LEASE_SPAN_MS = 100;
const MAX_LEASE = 10_000;
const LEASE_SHARE = 16;
/** A lease unspent this long is given back, so other nodes can spend it. */
const IDLE_LEASE_MS = 1000;
/** How long a token found without uses is refused without asking the store again. */
const EXHAUSTED_RECHECK_MS = 1000;

/** A token's uses after a verification. */
export interface UsesDecision {
  readonly allowed: boolean;
  /** Uses left: what this node holds and what the store had left when it last asked. */
  readonly remaining: number;
}

/** The uses this node holds of one token. */
interface Held {
  /** The token's `updatedAt` (epoch ms) when they were taken: a change voids them. */
  readonly version: number;
  spare: number;
  /** What the store had left after the last lease. */
  remaining: number;
  refilledAt: Date | null;
  lastSpentAt: number;
  /** The size of the next lease (before the share rule), and when the last one was taken. */
  leaseSize: number;
  leasedAt: number;
  /** When the store last had none to give; 0 while it had. */
  exhaustedAt: number;
  leasing: Promise<void> | undefined;
}

/**
 * Uses spent by verifications, exactly and durably, without a store write for each: a node
 * takes a small lease of a token's uses from the store (atomically, so no two nodes spend the
 * same use) and spends it from memory. A lease is a sixteenth of what is left, at most 100, and
 * a single use when few are left, so no node holds many of the last uses. What a node holds and
 * does not spend within a second goes back to the store, as it does when the node stops; a
 * node that dies loses its lease, so a crash can cost a token uses but never grant extra ones.
 * A change to the token (such as a new `uses_remaining`) voids every lease taken before it.
 */
export class UsesLedger {
  readonly #held = new Map<string, Held>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs: number): void {
    this.#timer = setInterval(
      () => void this.giveBackIdle(this.clock.now().getTime() - IDLE_LEASE_MS),
      intervalMs,
    );
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.giveBackIdle(Number.POSITIVE_INFINITY);
  }

  /** Spends one use of a token (at `updatedAt` version) at `now`, or refuses. */
  take(tokenId: string, version: number, now: Date): MaybeAsync<UsesDecision> {
    let held = this.#held.get(tokenId);
    if (held?.version !== version) {
      held = {
        version,
        spare: 0,
        remaining: 0,
        refilledAt: null,
        lastSpentAt: 0,
        leaseSize: 1,
        leasedAt: Number.NEGATIVE_INFINITY,
        exhaustedAt: 0,
        leasing: undefined,
      };
      this.#held.set(tokenId, held);
    }
    if (held.spare > 0) return spend(held, now.getTime());
    if (now.getTime() - held.exhaustedAt < EXHAUSTED_RECHECK_MS) {
      return { allowed: false, remaining: 0 };
    }
    return this.#takeLeased(tokenId, held, now);
  }

  /** Gives back the spare uses of leases last spent before `idleSince` (epoch ms). */
  async giveBackIdle(idleSince: number): Promise<void> {
    const idle = [...this.#held].filter(
      ([, held]) => held.lastSpentAt < idleSince && held.leasing === undefined,
    );
    for (const [tokenId, held] of idle) {
      this.#held.delete(tokenId);
      if (held.spare === 0) continue;
      try {
        await this.store.giveBackUses(tokenId, held.spare, {
          updatedAt: new Date(held.version),
          refilledAt: held.refilledAt,
        });
      } catch (error) {
        this.onError(error);
      }
    }
  }

  /** Leases (one lease at a time per token, shared by every verification waiting) and spends. */
  async #takeLeased(tokenId: string, held: Held, now: Date): Promise<UsesDecision> {
    for (;;) {
      held.leasing ??= this.#lease(tokenId, held, now).finally(() => {
        held.leasing = undefined;
      });
      await held.leasing;
      if (held.spare > 0) return spend(held, now.getTime());
      if (held.exhaustedAt !== 0) return { allowed: false, remaining: 0 };
    }
  }

  async #lease(tokenId: string, held: Held, now: Date): Promise<void> {
    const lasted = now.getTime() - held.leasedAt;
    held.leaseSize =
      lasted < LEASE_SPAN_MS
        ? Math.min(MAX_LEASE, held.leaseSize * 2)
        : Math.max(1, Math.floor(held.leaseSize / 2));
    held.leasedAt = now.getTime();
    const want = Math.min(held.leaseSize, Math.max(1, Math.floor(held.remaining / LEASE_SHARE)));
    const lease = await this.store.takeUses(tokenId, want, now);
    held.spare += lease?.granted ?? 0;
    held.remaining = lease?.remaining ?? 0;
    held.refilledAt = lease?.refilledAt ?? null;
    held.exhaustedAt = held.spare === 0 ? now.getTime() : 0;
  }
}

function spend(held: Held, now: number): UsesDecision {
  held.spare--;
  held.lastSpentAt = now;
  return { allowed: true, remaining: held.spare + held.remaining };
}

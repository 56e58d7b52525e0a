interface PendingCall<In, Out> {
  readonly input: In;
  readonly resolve: (value: Out) => void;
  readonly reject: (reason: unknown) => void;
}

interface TickBatcherOptions<In> {
  /** Whether a batch's failure is not its inputs' doing, so that no call is made again alone. */
  readonly final?: (error: unknown) => boolean;
  /** Most calls one batch carries. */
  readonly maxBatch?: number;
  /** What a call changes: calls of one target are made in batches one after the other. */
  readonly sameTarget?: (input: In) => unknown;
}

/** Most calls one batch carries: a statement's parameters and work stay bounded under any load. */
const MAX_BATCH = 256;

/**
 * Calls made as one: `runAll` answers many inputs with one statement, so a burst of N requests
 * costs the database and the driver one round trip instead of N. One batch is in flight at a
 * time: calls that arrive while it is are made together as the next batch, once it is done, with
 * those of the turn it ends in. Under load a batch so carries what arrived during the last one's
 * round trip (at 32 connections, about 9 creates a batch when every turn sent its own, about 16
 * this way, and the database's CPU per create halved); a call that finds nothing in flight is made
 * in the turn it arrived in. A turn with a single call runs it as `runOne`. When the batch fails
 * (one input breaks a constraint, which fails the whole statement and so writes nothing), each
 * call is made again alone and gets its own outcome, unless `final` says the failure is not the
 * inputs' (the database unreachable): then every call fails with it at once, rather than each
 * trying again. Calls of the same `sameTarget` key are never in one batch (one statement would
 * change a row once for both): a later one waits for a batch after, so that calls of the same key
 * are made one after the other, in the order made.
 */
export class TickBatcher<In, Out> {
  #pending: PendingCall<In, Out>[] = [];
  #scheduled = false;
  #inFlight = false;

  readonly #final: (error: unknown) => boolean;
  readonly #maxBatch: number;
  readonly #sameTarget: ((input: In) => unknown) | undefined;

  constructor(
    private readonly runAll: (inputs: readonly In[]) => Promise<readonly Out[]>,
    private readonly runOne: (input: In) => Promise<Out>,
    { final = () => false, maxBatch = MAX_BATCH, sameTarget }: TickBatcherOptions<In> = {},
  ) {
    this.#final = final;
    this.#maxBatch = maxBatch;
    this.#sameTarget = sameTarget;
  }

  run(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.#pending.push({ input, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    const calls = this.#takeBatch();
    if (calls.length === 0) return;
    this.#inFlight = true;
    void this.#make(calls).finally(() => {
      this.#inFlight = false;
      if (this.#pending.length > 0) this.#schedule();
    });
  }

  /** The next batch: the first calls pending, up to the batch size, no two of one target. */
  #takeBatch(): PendingCall<In, Out>[] {
    const sameTarget = this.#sameTarget;
    if (!sameTarget) {
      const calls = this.#pending.slice(0, this.#maxBatch);
      this.#pending = this.#pending.slice(calls.length);
      return calls;
    }
    const calls: PendingCall<In, Out>[] = [];
    const waiting: PendingCall<In, Out>[] = [];
    const targets = new Set<unknown>();
    let looked = 0;
    // Once the batch is full, what is left keeps its order unread.
    for (; looked < this.#pending.length && calls.length < this.#maxBatch; looked++) {
      const call = this.#pending[looked] as PendingCall<In, Out>;
      const target = sameTarget(call.input);
      if (targets.has(target)) {
        waiting.push(call);
      } else {
        targets.add(target);
        calls.push(call);
      }
    }
    this.#pending = waiting.concat(this.#pending.slice(looked));
    return calls;
  }

  async #make(calls: PendingCall<In, Out>[]): Promise<void> {
    const [only] = calls;
    if (calls.length === 1 && only) {
      await this.runOne(only.input).then(only.resolve, only.reject);
      return;
    }
    try {
      const outputs = await this.runAll(calls.map((call) => call.input));
      for (const [index, call] of calls.entries()) call.resolve(outputs[index] as Out);
    } catch (error) {
      if (this.#final(error)) {
        for (const call of calls) call.reject(error);
        return;
      }
      await Promise.all(
        calls.map((call) => this.runOne(call.input).then(call.resolve, call.reject)),
      );
    }
  }
}

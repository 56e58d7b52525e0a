interface PendingCall<In, Out> {
  readonly input: In;
  readonly resolve: (value: Out) => void;
  readonly reject: (reason: unknown) => void;
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
 * trying again.
 */
export class TickBatcher<In, Out> {
  #pending: PendingCall<In, Out>[] = [];
  #scheduled = false;
  #inFlight = false;

  constructor(
    private readonly runAll: (inputs: readonly In[]) => Promise<readonly Out[]>,
    private readonly runOne: (input: In) => Promise<Out>,
    private readonly final: (error: unknown) => boolean = () => false,
    private readonly maxBatch = MAX_BATCH,
  ) {}

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
    const calls = this.#pending.slice(0, this.maxBatch);
    this.#pending = this.#pending.slice(calls.length);
    if (calls.length === 0) return;
    this.#inFlight = true;
    void this.#make(calls).finally(() => {
      this.#inFlight = false;
      if (this.#pending.length > 0) this.#schedule();
    });
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
      if (this.final(error)) {
        for (const call of calls) call.reject(error);
        return;
      }
      await Promise.all(
        calls.map((call) => this.runOne(call.input).then(call.resolve, call.reject)),
      );
    }
  }
}

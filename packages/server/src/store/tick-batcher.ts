interface PendingCall<In, Out> {
  readonly input: In;
  readonly resolve: (value: Out) => void;
  readonly reject: (reason: unknown) => void;
}

/** Most calls one batch carries: a statement's parameters and work stay bounded under any load. */
const MAX_BATCH = 256;

/**
 * Calls that arrive in the same turn of the event loop, made as one: `runAll` answers every
 * input of the turn with one statement, so a burst of N requests costs the database and the
 * driver one round trip instead of N. A turn with a single call runs it as `runOne`. When the
 * batch fails (one input breaks a constraint, which fails the whole statement and so writes
 * nothing), each call is made again alone and gets its own outcome, unless `final` says the
 * failure is not the inputs' (the database unreachable): then every call fails with it at once,
 * rather than each trying again.
 */
export class TickBatcher<In, Out> {
  #pending: PendingCall<In, Out>[] = [];
  #scheduled = false;

  constructor(
    private readonly runAll: (inputs: readonly In[]) => Promise<readonly Out[]>,
    private readonly runOne: (input: In) => Promise<Out>,
    private readonly final: (error: unknown) => boolean = () => false,
    private readonly maxBatch = MAX_BATCH,
  ) {}

  run(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.#pending.push({ input, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const pending = this.#pending;
    this.#pending = [];
    for (let start = 0; start < pending.length; start += this.maxBatch) {
      this.#make(pending.slice(start, start + this.maxBatch));
    }
  }

  #make(calls: PendingCall<In, Out>[]): void {
    const [only] = calls;
    if (calls.length === 1 && only) {
      this.runOne(only.input).then(only.resolve, only.reject);
      return;
    }
    this.runAll(calls.map((call) => call.input)).then(
      (outputs) => {
        for (const [index, call] of calls.entries()) call.resolve(outputs[index] as Out);
      },
      (error: unknown) => {
        const final = this.final(error);
        for (const call of calls) {
          if (final) call.reject(error);
          else this.runOne(call.input).then(call.resolve, call.reject);
        }
      },
    );
  }
}

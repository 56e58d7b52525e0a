import cluster, { type Worker } from "node:cluster";
import type { CounterState, Counters } from "../domain/counters.js";
import { StoreUnavailableError } from "../domain/errors.js";

/** How long a worker waits for the primary's count before the request fails as unavailable. */
const ANSWER_TIMEOUT_MS = 2000;

interface HitMessage {
  readonly type: "tokenspace:count";
  readonly id: number;
  readonly key: string;
  readonly windowMs: number;
  readonly amount: number;
}

interface CountMessage extends CounterState {
  readonly type: "tokenspace:counted";
  readonly id: number;
}

function isMessage<T extends { type: string }>(message: unknown, type: T["type"]): message is T {
  return (message as { type?: unknown } | null)?.type === type;
}

/**
 * Counts shared by the worker processes of one server (`serve --workers N` on SQLite, where no
 * database or Redis is shared): each hit is a message to the primary process, which keeps the
 * counts (`answerWorkers`) and answers with the total. The workers' budgets and rate limits are
 * then one, as if one process served.
 */
export class ClusterCounters implements Counters {
  readonly #pending = new Map<
    number,
    { resolve: (state: CounterState) => void; timer: NodeJS.Timeout }
  >();
  #next = 0;
  readonly #onMessage = (message: unknown) => {
    if (!isMessage<CountMessage>(message, "tokenspace:counted")) return;
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    pending.resolve({ count: message.count, resetInMs: message.resetInMs });
  };

  constructor() {
    process.on("message", this.#onMessage);
  }

  hit(key: string, windowMs: number, amount = 1): Promise<CounterState> {
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new StoreUnavailableError("The server's primary process did not answer a count."));
      }, ANSWER_TIMEOUT_MS);
      this.#pending.set(id, { resolve, timer });
      const message: HitMessage = { type: "tokenspace:count", id, key, windowMs, amount };
      process.send?.(message);
    });
  }

  async close(): Promise<void> {
    process.off("message", this.#onMessage);
    for (const { timer } of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
  }
}

/** The primary's side: counts every worker's hits in `counters` and answers each. */
export function answerWorkers(counters: Counters): void {
  cluster.on("message", (worker: Worker, message: unknown) => {
    if (!isMessage<HitMessage>(message, "tokenspace:count")) return;
    void counters.hit(message.key, message.windowMs, message.amount).then((state) => {
      const answer: CountMessage = { type: "tokenspace:counted", id: message.id, ...state };
      if (worker.isConnected()) worker.send(answer);
    });
  });
}

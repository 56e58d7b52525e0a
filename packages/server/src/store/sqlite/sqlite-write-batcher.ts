import type { Database, Transaction } from "better-sqlite3";

interface PendingWrite {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/**
 * Group commit: writes that arrive in the same turn of the event loop share one transaction
 * and so one fsync. Each write runs in its own savepoint, so one failing write rolls back
 * alone, and every caller is answered only after the shared commit returned.
 */
export class SqliteWriteBatcher {
  #pending: PendingWrite[] = [];
  #scheduled = false;
  readonly #commitBatch: Transaction<(writes: PendingWrite[]) => Outcome[]>;

  constructor(db: Database) {
    const runInSavepoint = db.transaction((work: () => unknown) => work());
    this.#commitBatch = db.transaction((writes: PendingWrite[]) =>
      writes.map((write): Outcome => {
        try {
          return { ok: true, value: runInSavepoint(write.work) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  flush(): void {
    this.#scheduled = false;
    const writes = this.#pending;
    this.#pending = [];
    if (writes.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = this.#commitBatch.immediate(writes);
    } catch (error) {
      for (const write of writes) write.reject(error);
      return;
    }
    outcomes.forEach((outcome, index) => {
      const write = writes[index];
      if (!write) return;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.error);
    });
  }
}

import type { Database, Transaction } from "better-sqlite3";

interface PendingWrite {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/** A write of a batch run without savepoints failed; the batch is to be run again with them. */
class FailedWrite {}

/**
 * Group commit: writes that arrive in the same turn of the event loop share one transaction
 * and so one fsync, and every caller is answered only after the shared commit returned. One
 * failing write rolls back alone: a batch in which a write fails is rolled back and run again
 * with each write in its own savepoint. A failure reaches its caller as `failure` makes it
 * (the store's own errors), so a caller can hand on the promise `run` gives as it is.
 */
export class SqliteWriteBatcher {
  #pending: PendingWrite[] = [];
  #scheduled = false;
  #transactionsBegun = 0;
  readonly #commitTogether: Transaction<(writes: PendingWrite[]) => Outcome[]>;
  readonly #commitEachAlone: Transaction<(writes: PendingWrite[]) => Outcome[]>;

  constructor(
    db: Database,
    private readonly failure: (error: unknown) => unknown,
  ) {
    this.#commitTogether = db.transaction((writes: PendingWrite[]) => {
      this.#transactionsBegun++;
      return writes.map((write): Outcome => {
        try {
          return { ok: true, value: write.work() };
        } catch {
          throw new FailedWrite();
        }
      });
    });
    const runInSavepoint = db.transaction((work: () => unknown) => work());
    this.#commitEachAlone = db.transaction((writes: PendingWrite[]) => {
      this.#transactionsBegun++;
      return writes.map((write): Outcome => {
        try {
          return { ok: true, value: runInSavepoint(write.work) };
        } catch (error) {
          return { ok: false, error };
        }
      });
    });
  }

  /**
   * Which transaction the writes now running are in (the count of those begun): what a write
   * learned in one transaction holds for the others in it, not for the next, before which
   * another process may have written.
   */
  get transaction(): number {
    return this.#transactionsBegun;
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
      outcomes = this.#commit(writes);
    } catch (error) {
      const failed = this.failure(error);
      for (const write of writes) write.reject(failed);
      return;
    }
    outcomes.forEach((outcome, index) => {
      const write = writes[index];
      if (!write) return;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(this.failure(outcome.error));
    });
  }

  /**
   * A savepoint around every write costs two more statements and a journal of the pages it
   * touches (half the system time of a create's write); a failing write is rare (a conflict),
   * so the batch is tried without them first. Writes are store statements only, so one run
   * again after the rollback does exactly what it would have done the first time. A failure
   * of the transaction itself (the database busy past its timeout, a full disk) is not run
   * again: it would fail alike, after as long again.
   */
  #commit(writes: PendingWrite[]): Outcome[] {
    try {
      return this.#commitTogether.immediate(writes);
    } catch (error) {
      if (!(error instanceof FailedWrite)) throw error;
      return this.#commitEachAlone.immediate(writes);
    }
  }
}

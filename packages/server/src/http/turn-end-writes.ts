import type { FastifyInstance } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    /** The turn of the event loop the request arrived in (see TurnEndWrites). */
    arrivalTurn: number;
  }
}

/**
 * Answers ready in the turn of the event loop their request arrived in (a cached credential,
 * nothing to wait for) are written to their sockets together at the end of that turn, once
 * every request that arrived in it has been handled, instead of each as soon as it is ready.
 *
 * A client waiting for its answer sleeps, and each write to a sleeping client's socket pays its
 * wake-up in the kernel, charged to the writer: on loopback, where a proxy asking /auth/verify
 * usually sits, a cached GET's write cost more than the rest of it. Written back to back, the
 * answers of one turn reach a client still awake reading the first ones. An answer waits at
 * most for the other requests of its turn, and one that arrives alone for a `setImmediate`.
 * Answers that waited for the store are written as they come: those of one batch (a group
 * commit, a batch of lookups) are ready together already, and holding them for another turn
 * cost creates more than it saved.
 */
export class TurnEndWrites {
  #turn = 0;
  #turnOpen = false;
  #ready: (() => void)[] = [];

  /** The turn a request arriving now arrived in; its end is when its ready answers go. */
  arrival(): number {
    if (!this.#turnOpen) {
      this.#turnOpen = true;
      setImmediate(this.#endTurn);
    }
    return this.#turn;
  }

  /** Writes an answer: at the end of the turn when it is its request's arrival turn, else now. */
  write(arrivalTurn: number, write: () => void): void {
    if (arrivalTurn === this.#turn) this.#ready.push(write);
    else write();
  }

  /** Holds the answers of every route of the app this way. */
  register(app: FastifyInstance): void {
    app.decorateRequest("arrivalTurn", -1);
    app.addHook("onRequest", (request, _reply, done) => {
      request.arrivalTurn = this.arrival();
      done();
    });
    app.addHook("onSend", (request, _reply, _payload, write) => {
      this.write(request.arrivalTurn, write);
    });
  }

  readonly #endTurn = () => {
    this.#turn++;
    this.#turnOpen = false;
    const writing = this.#ready;
    this.#ready = [];
    for (const write of writing) write();
  };
}

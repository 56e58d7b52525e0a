import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Authenticator } from "../domain/authenticator.js";
import { MalformedRequestError } from "../domain/errors.js";
import type { MaybeAsync } from "../domain/maybe-async.js";
import type { Principal } from "../domain/principal.js";
import type { LimitVerdict } from "../domain/token-limiter.js";
import { heldBasicCredentials } from "./basic-credentials.js";
import {
  allowedHeaders,
  type ForwardAuthServices,
  type GuardedRequest,
  guardedRequest,
  permitted,
  type Verdict,
} from "./forward-auth.js";
import type { TurnEndWrites } from "./turn-end-writes.js";

interface VerifyFastPathServices extends ForwardAuthServices {
  readonly authenticator: Authenticator;
  /** The request's id, as the framework gives its requests theirs. */
  readonly requestIdOf: (headers: IncomingHttpHeaders) => string;
  /** The request's client, as the framework's `request.ip` names it. */
  readonly clientAddressOf: (request: IncomingMessage) => string | undefined;
  readonly turnEnd: TurnEndWrites;
  /** Whether allowed verifications are logged (at debug): the framework writes those lines. */
  readonly logsAllowedVerifications: () => boolean;
}

const VERIFY_PATH = "/auth/verify";
/**
 * A query read here: only `permission=` and `over_limit_status=` of plain characters. Any other
 * query (an escape, another key) is the framework's to parse, and to refuse.
 */
const PLAIN_QUERY = /^(?:(?:permission|over_limit_status)=[a-z0-9_]*(?:&(?!$)|$))*$/;

/**
 * Forward auth's allowed answers for credentials the cache vouches for, written before the
 * framework sees the request. A proxy asks `/auth/verify` once for every request it serves,
 * and Fastify's routing, hooks and reply cost about as much as the verification itself; so a
 * `GET /auth/verify` whose credentials the cache holds is decided here, with the route's own
 * decision (`permitted`), and answered with the route's own header fields, its request id and
 * at the end of its turn (TurnEndWrites), as the route would. Everything else goes on to the
 * framework: other methods and paths, a query or credentials not read here, credentials the
 * cache does not hold (a store lookup, a refusal, the failed-authentication budget), and, with
 * the verdict reached here, a refusal by permissions or limits or a verdict that waits for the
 * shared counters, which the route then sends as it is. Off while allowed verifications are
 * logged, whose lines the framework writes, and once the server is closing.
 */
export class VerifyFastPath {
  readonly #verdicts = new WeakMap<IncomingMessage, MaybeAsync<Verdict>>();
  #closing = false;

  constructor(private readonly services: VerifyFastPathServices) {}

  /** Answers the request if it can: true when it did, false when the framework must. */
  answer(request: IncomingMessage, response: ServerResponse): boolean {
    if (this.#closing || request.method !== "GET") return false;
    const url = request.url ?? "";
    if (!url.startsWith(VERIFY_PATH)) return false;
    const query = url.length === VERIFY_PATH.length ? "" : queryOf(url.slice(VERIFY_PATH.length));
    if (query === undefined || this.services.logsAllowedVerifications()) return false;
    const guarded = readGuardedRequest(query, request.headers);
    const credentials = heldBasicCredentials(request.headers.authorization);
    if (!guarded || !credentials) return false;
    const principal = this.services.authenticator.cachedPrincipal(
      credentials.username,
      credentials.password,
      this.services.clientAddressOf(request) ?? null,
    );
    if (!principal) return false;
    const verdict = permitted(principal, this.services, guarded);
    if (verdict instanceof Promise || !verdict.allowed) {
      // The route that takes it answers its failure; one that never reaches the route (the
      // connection closed first) must not be an unhandled rejection.
      if (verdict instanceof Promise) verdict.catch(() => {});
      this.#verdicts.set(request, verdict);
      return false;
    }
    this.#writeAllowed(request, response, principal, verdict.limits);
    return true;
  }

  /** The verdict reached here for a request left to the framework, taken once. */
  takeVerdict(request: IncomingMessage): MaybeAsync<Verdict> | undefined {
    const verdict = this.#verdicts.get(request);
    if (verdict !== undefined) this.#verdicts.delete(request);
    return verdict;
  }

  /** From now on every request goes to the framework, which answers them while it closes. */
  close(): void {
    this.#closing = true;
  }

  #writeAllowed(
    request: IncomingMessage,
    response: ServerResponse,
    principal: Principal,
    limits: LimitVerdict,
  ): void {
    const fields = new AnswerFields(this.services.requestIdOf(request.headers));
    allowedHeaders(fields, principal, limits);
    fields.header("content-length", "0");
    const metrics = this.services.metrics;
    if (metrics) {
      const started = performance.now();
      response.once("finish", () => {
        metrics.countRequest(VERIFY_PATH, "GET", 200, (performance.now() - started) / 1000);
      });
    }
    this.services.turnEnd.write(this.services.turnEnd.arrival(), () => {
      response.writeHead(200, fields.headers);
      response.end();
    });
  }
}

/** The header fields of an answer, in the order they are set, the request id first. */
class AnswerFields {
  readonly headers: Record<string, string>;

  constructor(requestId: string) {
    this.headers = { "x-request-id": requestId };
  }

  header(name: string, value: string): void {
    this.headers[name] = value;
  }
}

/** The query after the path (`?…`), or undefined for another path or a query not read here. */
function queryOf(rest: string): string | undefined {
  if (rest[0] !== "?") return undefined;
  const query = rest.slice(1);
  return PLAIN_QUERY.test(query) ? query : undefined;
}

/** The query's values as the framework's parser gives them: a repeated key as a list. */
function readGuardedRequest(
  query: string,
  headers: IncomingHttpHeaders,
): GuardedRequest | undefined {
  const values: Record<string, string | string[]> = {};
  if (query !== "") {
    for (const pair of query.split("&")) {
      const [key = "", value = ""] = pair.split("=");
      const held = values[key];
      if (held === undefined) values[key] = value;
      else if (Array.isArray(held)) held.push(value);
      else values[key] = [held, value];
    }
  }
  try {
    return guardedRequest(values, headers);
  } catch (error) {
    if (error instanceof MalformedRequestError) return undefined;
    throw error;
  }
}

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { principalActor } from "../domain/actor.js";
import type { Authenticator } from "../domain/authenticator.js";
import { type MaybeAsync, whenReady } from "../domain/maybe-async.js";
import type { Principal } from "../domain/principal.js";
import type { ProjectService } from "../domain/project-service.js";
import type { IssuedToken, TokenService } from "../domain/token-service.js";
import type { Metrics } from "../runtime/metrics.js";
import type { RequestLines } from "../runtime/request-lines.js";
import { heldBasicCredentials } from "./basic-credentials.js";
import type { ParserFailures } from "./failure/parser-failures.js";
import { type CreateTokenBody, CreateTokenBodySchema, TokenSchema } from "./schemas.js";
import { serializerCompiler } from "./serializer-compiler.js";
import type { Surface, TokenCollection } from "./surface.js";
import { JSON_BODY, newToken, TOKEN_ID_SEGMENT } from "./token-routes.js";
import type { TurnEndWrites } from "./turn-end-writes.js";
import { createValidatorCompiler } from "./validator-compiler.js";

interface TokenFastPathServices {
  readonly authenticator: Authenticator;
  readonly tokens: TokenService;
  readonly projects: ProjectService;
  /** The surfaces whose Tokens API collections are answered here, under each of their prefixes. */
  readonly surfaces: readonly Surface[];
  /** The request's id, as the framework gives its requests theirs. */
  readonly requestIdOf: (headers: IncomingHttpHeaders) => string;
  /** The request's client, as the framework's `request.ip` names it. */
  readonly clientAddressOf: (request: IncomingMessage) => string | undefined;
  readonly turnEnd: TurnEndWrites;
  readonly requestLines: RequestLines;
  readonly metrics: Metrics | undefined;
  /** Where a body still arriving is noted, for a timeout's answer to name its path. */
  readonly parserFailures: ParserFailures;
}

/** A request's way into the framework: Fastify's handler of the server's requests. */
type Framework = (request: IncomingMessage, response: ServerResponse) => void;

/** A collection under one prefix: its routes as the framework names them, and how to match it. */
interface CollectionRoute {
  readonly collection: TokenCollection;
  /** `/api/laml/2010-04-01/Accounts/:AccountSid/tokens`: the metrics' route label. */
  readonly route: string;
  /** The same for one token: `…/tokens/:token_id`. */
  readonly itemRoute: string;
  /** The collection's path, or a token's under it: the AccountSid and the token id, if any. */
  readonly pattern: RegExp;
}

interface Target {
  readonly at: CollectionRoute;
  readonly accountSid: string | undefined;
  readonly tokenId: string | undefined;
}

/** A request taken here: what answering it, or leaving it to the framework, takes. */
interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly framework: Framework;
  readonly target: Target;
  readonly principal: Principal;
  /** When it was taken: its log line's and metrics' time is counted from here. */
  readonly started: number;
}

/** How a request taken here is answered: its id, its route's name and its turn of arrival. */
interface Answer {
  readonly requestId: string;
  readonly route: string;
  readonly arrival: number;
}

/**
 * The largest create body read here: a create's three fields take a few hundred bytes. A larger
 * one is the framework's, whose parser refuses a hostile body before the rest of it is read.
 */
const BODY_BYTES_READ_HERE = 4096;

/** Ids in paths read here: lowercase UUIDs, as SignalWire gives them and the routes accept. */
const UUID = "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})";

/**
 * The Tokens API's two hot requests, fetching one token and creating one with a JSON body,
 * answered before the framework sees them for credentials the cache vouches for: Fastify's
 * routing, hooks and reply cost a GET about a fifth of its CPU, and a create's hooks, request
 * and reply objects and promise chain a tenth of its own. Each is answered with the route's own
 * work (the same project scope, service call, body validator and serializer), header fields,
 * request id, log line, metrics and turn-end write.
 *
 * Everything else goes on to the framework, which answers it as it always has: other methods,
 * paths and content types, a query, a `.json` suffix or a trailing slash, credentials the
 * cache does not hold or refuses, mock mode (which journals every request) and a project
 * request budget (its counters are the framework's). So does any request that fails here
 * once its credentials were accepted (no `management` permission, a project out of scope, a
 * token not found, a body that does not validate, a write the store refused: nothing was
 * written), with the principal accepted here, which the surface's auth hook takes instead of
 * checking the credential again, and with a create's body as read, which the framework then
 * parses and answers in the surface's shape.
 */
export class TokenFastPath {
  readonly #routes: readonly CollectionRoute[];
  readonly #validCreate = createValidatorCompiler()({
    schema: CreateTokenBodySchema,
    httpPart: "body",
    method: "POST",
    url: "",
  }) as (body: unknown) => boolean;
  readonly #serializeToken = serializerCompiler({
    schema: TokenSchema,
    httpStatus: "200",
    method: "GET",
    url: "",
  }) as (token: IssuedToken) => string;
  readonly #principals = new WeakMap<IncomingMessage, Principal>();
  readonly #bodies = new WeakMap<IncomingMessage, Buffer>();
  #closing = false;

  constructor(private readonly services: TokenFastPathServices) {
    this.#routes = services.surfaces.flatMap(({ prefixes, tokens }) =>
      tokens ? prefixes.map((prefix) => collectionRoute(prefix, tokens)) : [],
    );
  }

  /**
   * Takes the request if it can: true when it did (it answers it, or leaves it to `framework`
   * once it failed), false when the framework must take it now.
   */
  answer(request: IncomingMessage, response: ServerResponse, framework: Framework): boolean {
    if (this.#closing) return false;
    const method = request.method;
    if (method !== "GET" && method !== "POST") return false;
    const target = this.#target(request.url ?? "");
    if (!target || (method === "GET") !== (target.tokenId !== undefined)) return false;
    if (method === "POST" && !readableCreateBody(request.headers)) return false;
    const credentials = heldBasicCredentials(request.headers.authorization);
    if (!credentials) return false;
    const clientAddress = this.services.clientAddressOf(request);
    const principal = this.services.authenticator.cachedPrincipal(
      credentials.username,
      credentials.password,
      clientAddress ?? null,
      method === "POST",
    );
    if (!principal) return false;
    if (!principal.permissions.has("management")) {
      this.#principals.set(request, principal);
      return false;
    }
    const exchange = {
      request,
      response,
      framework,
      target,
      principal,
      started: performance.now(),
    };
    if (method === "GET") this.#get(exchange);
    else this.#create(exchange, clientAddress);
    return true;
  }

  /** The principal accepted here for a request left to the framework, taken once. */
  takePrincipal(request: IncomingMessage): Principal | undefined {
    const principal = this.#principals.get(request);
    if (principal !== undefined) this.#principals.delete(request);
    return principal;
  }

  /** The body read here of a create left to the framework, taken once. */
  takeBody(request: IncomingMessage): Buffer | undefined {
    const body = this.#bodies.get(request);
    if (body !== undefined) this.#bodies.delete(request);
    return body;
  }

  /** From now on every request goes to the framework, which answers them while it closes. */
  close(): void {
    this.#closing = true;
  }

  #target(url: string): Target | undefined {
    for (const at of this.#routes) {
      const match = at.pattern.exec(url);
      if (match) return { at, accountSid: match.groups?.account, tokenId: match.groups?.token };
    }
    return undefined;
  }

  #get(exchange: Exchange): void {
    const tokenId = exchange.target.tokenId as string;
    this.#settle(exchange, (projectId) => this.services.tokens.get(projectId, tokenId), {
      requestId: this.services.requestIdOf(exchange.request.headers),
      route: exchange.target.at.itemRoute,
      arrival: this.services.turnEnd.arrival(),
    });
  }

  #create(exchange: Exchange, clientAddress: string | undefined): void {
    const { request, principal } = exchange;
    const socket = request.socket;
    this.services.parserFailures.started(socket, request.url ?? "");
    const chunks: Buffer[] = [];
    // A body cut short closes the connection, and there is no one left to answer.
    request.on("error", () => this.services.parserFailures.finished(socket));
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      this.services.parserFailures.finished(socket);
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      const body = parsedBody(bytes);
      if (body === undefined || !this.#validCreate(body)) return this.#leave(exchange, bytes);
      const requestId = this.services.requestIdOf(request.headers);
      const actor = principalActor(principal, requestId, clientAddress ?? null);
      this.#settle(
        exchange,
        (projectId) =>
          this.services.tokens.create(projectId, newToken(body as CreateTokenBody), { actor }),
        { requestId, route: exchange.target.at.route, arrival: this.services.turnEnd.arrival() },
        bytes,
      );
    });
  }

  /**
   * Does the request's work in the project it acts on and answers with the token it gives; if
   * it fails, leaves the request to the framework, which does it again and answers its failure.
   */
  #settle(
    exchange: Exchange,
    work: (projectId: string) => MaybeAsync<IssuedToken>,
    answer: Answer,
    body?: Buffer,
  ): void {
    const { target, principal } = exchange;
    const failed = () => this.#leave(exchange, body);
    let result: MaybeAsync<IssuedToken>;
    try {
      result = whenReady(
        target.at.collection.projectOf(this.services.projects, principal, target.accountSid),
        work,
      );
    } catch {
      failed();
      return;
    }
    if (result instanceof Promise)
      result.then((token) => this.#answer(exchange, token, answer), failed);
    else this.#answer(exchange, result, answer);
  }

  /** Leaves a request taken here to the framework, with its principal and its body as read. */
  #leave({ request, response, framework, principal }: Exchange, body?: Buffer): void {
    this.#principals.set(request, principal);
    if (body !== undefined) this.#bodies.set(request, body);
    framework(request, response);
  }

  #answer(
    { request, response, started }: Exchange,
    token: IssuedToken,
    { requestId, route, arrival }: Answer,
  ): void {
    const json = this.#serializeToken(token);
    const method = request.method ?? "";
    const metrics = this.services.metrics;
    this.services.turnEnd.write(arrival, () => {
      response.writeHead(200, {
        "x-request-id": requestId,
        "content-type": JSON_BODY,
        "content-length": String(Buffer.byteLength(json)),
      });
      response.end(json);
      const seconds = (performance.now() - started) / 1000;
      metrics?.countRequest(route, method, 200, seconds);
      this.services.requestLines.write(
        "info",
        {
          reqId: requestId,
          method,
          url: request.url ?? "",
          statusCode: 200,
          responseTimeMs: Math.round(seconds * 100_000) / 100,
        },
        "request",
      );
    });
  }
}

/** A collection's route under a prefix, and the pattern of its path and of its tokens'. */
function collectionRoute(prefix: string, collection: TokenCollection): CollectionRoute {
  const route = `${prefix}${collection.path}`;
  const path = route
    .replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")
    .replace(":AccountSid", UUID.replace("(", "(?<account>"));
  return {
    collection,
    route,
    itemRoute: `${route}${TOKEN_ID_SEGMENT}`,
    pattern: new RegExp(`^${path}(?:/${UUID.replace("(", "(?<token>")})?$`),
  };
}

/** A create's body read here: JSON, of a declared length, small. */
function readableCreateBody(headers: IncomingHttpHeaders): boolean {
  const type = headers["content-type"];
  if (type !== "application/json" && type !== JSON_BODY) return false;
  const declared = Number(headers["content-length"]);
  return (
    headers["transfer-encoding"] === undefined && declared > 0 && declared <= BODY_BYTES_READ_HERE
  );
}

/**
 * The body as JSON, or undefined for the framework to parse and answer. The framework's parser
 * also refuses `__proto__` and `constructor` keys, so a body with either word anywhere is left
 * to it (one that only names a token so is then created there).
 */
function parsedBody(bytes: Buffer): unknown {
  const text = bytes.toString("utf8");
  if (text.includes("__proto__") || text.includes("constructor")) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

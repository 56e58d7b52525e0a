/**
 * Tokenspace addition: lets a service check the HTTP Basic credentials its own callers send,
 * through Tokenspace's forward-auth endpoint (`/auth/verify`), and ready middleware for Node
 * HTTP frameworks. Not part of SignalWire's SDK.
 */
import { type Permission, REFUSAL_REASONS, type RefusalReason } from "./contract.js";
import { ERROR_BODY_LIMIT, parseBody, readTextUpTo } from "./response-body.js";

/** Who a verified caller is. */
export interface TokenspacePrincipal {
  readonly projectId: string;
  readonly tokenId: string;
  readonly permissions: Permission[];
}

/** Where the caller's token stands against its limits, when it has them. */
export interface TokenspaceLimits {
  /** The RateLimit-Policy and RateLimit fields as Tokenspace sent them. */
  readonly rateLimitPolicy?: string;
  readonly rateLimit?: string;
  readonly usesRemaining?: number;
}

export type VerifyOutcome =
  | {
      readonly ok: true;
      readonly principal: TokenspacePrincipal;
      readonly limits: TokenspaceLimits;
    }
  | {
      readonly ok: false;
      readonly status: 401 | 403 | 429;
      /** Why: the X-Tokenspace-Reason Tokenspace sent. */
      readonly reason: RefusalReason;
      readonly message: string;
      /** Over the rate limit: when to try again. */
      readonly retryAfterSeconds?: number;
    };

export interface VerifierOptions {
  /** Tokenspace's origin, e.g. `http://127.0.0.1:8080`. */
  readonly baseUrl: string;
  readonly fetchImpl?: typeof fetch;
}

export interface VerifyRequest {
  /** Every one of these must be held. */
  readonly permissions?: readonly Permission[];
  /** The method and URI of the request being guarded, for Tokenspace's rules file. */
  readonly method?: string;
  readonly uri?: string;
}

export class TokenspaceVerifier {
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;

  constructor(options: VerifierOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    const fetchImpl = options.fetchImpl ?? globalThis.fetch;
    this.#fetch = (input, init) => fetchImpl(input, init);
  }

  /** Verifies an `Authorization` header as a caller sent it. */
  async verify(
    authorization: string | undefined,
    request: VerifyRequest = {},
  ): Promise<VerifyOutcome> {
    if (!authorization) {
      return {
        ok: false,
        status: 401,
        reason: "unauthenticated",
        message: "Authentication required: send HTTP Basic credentials.",
      };
    }
    const query = (request.permissions ?? [])
      .map((permission) => `permission=${encodeURIComponent(permission)}`)
      .join("&");
    const headers: Record<string, string> = { authorization };
    if (request.method) headers["x-forwarded-method"] = request.method;
    if (request.uri) headers["x-forwarded-uri"] = request.uri;
    const response = await this.#fetch(`${this.#baseUrl}/auth/verify${query ? `?${query}` : ""}`, {
      headers,
    });
    if (response.status === 200) {
      // Read, not cancelled (unless it runs past the limit): a browser reports a cancelled
      // response as failed.
      await readTextUpTo(response, ERROR_BODY_LIMIT);
      const permissions = response.headers.get("x-tokenspace-permissions") ?? "";
      return {
        ok: true,
        principal: {
          projectId: response.headers.get("x-tokenspace-project-id") ?? "",
          tokenId: response.headers.get("x-tokenspace-token-id") ?? "",
          permissions: permissions.split(",").filter(Boolean) as Permission[],
        },
        limits: limitsOf(response.headers),
      };
    }
    const parsed = parseBody(await readTextUpTo(response, ERROR_BODY_LIMIT));
    const body = (typeof parsed === "object" && parsed !== null ? parsed : {}) as {
      error?: string;
    };
    const status = response.status;
    if (status === 401 || status === 403 || status === 429) {
      const retryAfter = Number(response.headers.get("retry-after") ?? Number.NaN);
      return {
        ok: false,
        status,
        reason: reasonOf(response.headers.get("x-tokenspace-reason"), status),
        message: body.error ?? "Refused.",
        ...(Number.isFinite(retryAfter) && { retryAfterSeconds: retryAfter }),
      };
    }
    throw new Error(
      `Tokenspace answered /auth/verify with ${response.status}: ${body.error ?? ""}`,
    );
  }
}

function limitsOf(headers: Headers): TokenspaceLimits {
  const policy = headers.get("ratelimit-policy");
  const rate = headers.get("ratelimit");
  const uses = headers.get("x-tokenspace-uses-remaining");
  return {
    ...(policy !== null && { rateLimitPolicy: policy }),
    ...(rate !== null && { rateLimit: rate }),
    ...(uses !== null && { usesRemaining: Number(uses) }),
  };
}

/** The reason a refusal gave; from its status when it gave none (an older Tokenspace). */
function reasonOf(header: string | null, status: 401 | 403 | 429): RefusalReason {
  const given = REFUSAL_REASONS.find((reason) => reason === header);
  if (given) return given;
  return status === 401 ? "unauthenticated" : status === 403 ? "forbidden" : "rate_limited";
}

/** The request fields the middleware reads, as Node's HTTP frameworks give them. */
interface IncomingLike {
  readonly method?: string;
  readonly url?: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  tokenspace?: TokenspacePrincipal;
}

interface ReplyLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/** What a guarded route needs. */
export interface GuardOptions {
  readonly permissions?: readonly Permission[];
}

const CHALLENGE = 'Basic realm="Tokenspace"';

/** The headers a guarded route answers a refusal with: the challenge, why, and when to retry. */
function refusalHeaders(outcome: Extract<VerifyOutcome, { ok: false }>): [string, string][] {
  return [
    ...(outcome.status === 401 ? [["www-authenticate", CHALLENGE] as [string, string]] : []),
    ["x-tokenspace-reason", outcome.reason],
    ...(outcome.retryAfterSeconds !== undefined
      ? [["retry-after", String(outcome.retryAfterSeconds)] as [string, string]]
      : []),
  ];
}

function authorizationOf(request: IncomingLike): string | undefined {
  const value = request.headers.authorization;
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Express/Connect middleware: verifies the caller's Basic credentials through Tokenspace and
 * puts the principal on `request.tokenspace`, or answers 401/403/429 itself.
 */
export function tokenspaceMiddleware(verifier: TokenspaceVerifier, options: GuardOptions = {}) {
  return (request: IncomingLike, response: ReplyLike, next: (error?: unknown) => void): void => {
    verifier
      .verify(authorizationOf(request), {
        ...options,
        ...(request.method !== undefined && { method: request.method }),
        ...(request.url !== undefined && { uri: request.url }),
      })
      .then((outcome) => {
        if (outcome.ok) {
          request.tokenspace = outcome.principal;
          next();
          return;
        }
        response.statusCode = outcome.status;
        for (const [name, value] of refusalHeaders(outcome)) response.setHeader(name, value);
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify({ error: outcome.message }));
      }, next);
  };
}

/** The parts of a Fastify request and reply the hook uses. */
interface FastifyRequestLike {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  tokenspace?: TokenspacePrincipal;
}

interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(body: unknown): unknown;
}

/**
 * A Fastify `onRequest` (or `preHandler`) hook: verifies the caller through Tokenspace and sets
 * `request.tokenspace`, or answers 401/403/429. Decorate the request first:
 * `app.decorateRequest("tokenspace", null)`.
 */
export function tokenspaceFastifyHook(verifier: TokenspaceVerifier, options: GuardOptions = {}) {
  return async (request: FastifyRequestLike, reply: FastifyReplyLike): Promise<unknown> => {
    const outcome = await verifier.verify(authorizationOf(request), {
      ...options,
      method: request.method,
      uri: request.url,
    });
    if (outcome.ok) {
      request.tokenspace = outcome.principal;
      return undefined;
    }
    for (const [name, value] of refusalHeaders(outcome)) reply.header(name, value);
    return reply.code(outcome.status).send({ error: outcome.message });
  };
}

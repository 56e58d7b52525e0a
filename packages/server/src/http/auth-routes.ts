import { Type } from "@sinclair/typebox";
import type { RefusalReason } from "@tokenspace/contract";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type Authenticator, isRefusal } from "../domain/authenticator.js";
import { type MaybeAsync, whenReady } from "../domain/maybe-async.js";
import type { Principal } from "../domain/principal.js";
import type { ProjectService } from "../domain/project-service.js";
import type { VerifiedToken } from "../domain/usage-recorder.js";
import type { RequestBudgets } from "./budget-charges.js";
import { failure } from "./failure/failure.js";
import { failureHandler, notFoundHandler, sendFailure } from "./failure/failure-handler.js";
import {
  allowedHeaders,
  type ForwardAuthServices,
  type GuardedRequest,
  guardedRequest,
  limitHeaders,
  permitted,
  rateLimitHeaders,
  retryAfterSeconds,
  type Verdict,
} from "./forward-auth.js";
import {
  type BasicRefusal,
  checkBasic,
  principalOf,
  requireManagement,
} from "./management-auth.js";
import { BASIC_AUTH } from "./schemas.js";

const ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const TAGS = ["Tokenspace: verification"];
const ENVOY_PREFIX = "/auth/envoy";
/** Envoy may forward the guarded request's body (with_request_body); it is read and dropped. */
const ENVOY_BODY_LIMIT_BYTES = 1024 * 1024;

interface AuthRoutesOptions extends ForwardAuthServices {
  readonly authenticator: Authenticator;
  readonly projects: ProjectService;
  readonly budgets: RequestBudgets;
  /**
   * The verdict reached for a request before the framework saw it (VerifyFastPath), which
   * its route sends rather than reach another.
   */
  readonly earlyVerdict: (request: FastifyRequest) => MaybeAsync<Verdict> | undefined;
}

/** Errors here are for proxies and services: the status matters, the body explains it. */
const renderAuthFailure = (failed: { message: string }) => ({ error: failed.message });

const IntrospectBody = Type.Object({
  token: Type.String({ maxLength: 256, description: "The API token to look up." }),
  token_type_hint: Type.Optional(Type.String({ maxLength: 64 })),
});

const VERIFY_DESCRIPTION = `For nginx auth_request, Traefik ForwardAuth and Caddy forward_auth. Requires every \`permission\` given and those the rules file names for X-Forwarded-Method and X-Forwarded-Uri (or X-Original-URI), then spends one unit of the token's rate limit and one of its uses.

200 with X-Tokenspace-Project-Id, X-Tokenspace-Token-Id, X-Tokenspace-Permissions, and for a token with limits RateLimit-Policy and RateLimit (IETF httpapi draft) and X-Tokenspace-Uses-Remaining. Every refusal says why in X-Tokenspace-Reason: 401 for unauthenticated (with Retry-After from a client over the failed-authentication budget), disabled and expired; 403 for forbidden; 429 with Retry-After for rate_limited, and 429 for usage_exceeded (403 instead with over_limit_status=403, for nginx, which passes on only 401 and 403).`;

/**
 * Tokenspace's own endpoints for other systems, beside SignalWire's surfaces: forward auth for
 * reverse proxies (`/auth/verify`), Envoy's HTTP ext_authz (`/auth/envoy/…`) and token
 * introspection for services (`/auth/introspect`).
 */
export async function authRoutes(app: FastifyInstance, options: AuthRoutesOptions) {
  app.setErrorHandler(failureHandler(renderAuthFailure));
  app.setNotFoundHandler(notFoundHandler(renderAuthFailure, " in Tokenspace's verification API"));

  app.route({
    method: [...ALL_METHODS],
    url: "/verify",
    config: { operation: "verify" },
    schema: {
      summary:
        "Forward auth: verify the forwarded Basic credentials, the permissions the request needs and the token's limits",
      description: VERIFY_DESCRIPTION,
      tags: TAGS,
      security: BASIC_AUTH,
    },
    handler: (request, reply) => {
      const verdict =
        options.earlyVerdict(request) ??
        forwardAuth(request, options, guardedRequest(request.query, request.headers));
      return answer(reply, verdict);
    },
  });

  await app.register(async (envoy) => {
    // The guarded request's body is Envoy's to forward or not; it is never this route's to parse.
    envoy.removeAllContentTypeParsers();
    envoy.addContentTypeParser(
      "*",
      { parseAs: "buffer", bodyLimit: ENVOY_BODY_LIMIT_BYTES },
      (_request, _body, done) => done(null, undefined),
    );
    envoy.route({
      method: [...ALL_METHODS],
      url: "/envoy/*",
      config: { operation: "envoy_ext_authz" },
      schema: {
        summary: "Envoy HTTP ext_authz: verify a request as Envoy forwards it",
        description:
          "Point Envoy's ext_authz http_service here with path_prefix: /auth/envoy and the Authorization header allowed. The rules file applies to the original method and path (this path without /auth/envoy). Answers as /auth/verify does, 429 for both limits; list x-tokenspace-project-id, x-tokenspace-token-id and x-tokenspace-permissions in allowed_upstream_headers.",
        tags: TAGS,
        security: BASIC_AUTH,
      },
      handler: (request, reply) => {
        const path = request.url.slice(ENVOY_PREFIX.length).split("?")[0] || "/";
        const guarded = { asked: [], method: request.method, path, overLimitStatus: 429 } as const;
        return answer(reply, forwardAuth(request, options, guarded));
      },
    });
  });

  await app.register(async (introspection) => {
    introspection.addHook("onRequest", requireManagement(options.authenticator, options.budgets));
    introspection.post<{ Body: { token: string } }>(
      "/introspect",
      {
        config: { operation: "introspect" },
        schema: {
          summary: "Introspect a token (in the spirit of RFC 7662), for services",
          description:
            'Called with a management token. Active for a token of the caller\'s project or one of its subprojects, spending one unit of its rate limit and one of its uses as /auth/verify does (with the same RateLimit, Retry-After and X-Tokenspace-Uses-Remaining headers); every other token, deleted, elsewhere, disabled, expired or over its limits, is {"active": false}, with X-Tokenspace-Reason saying why.',
          tags: TAGS,
          security: BASIC_AUTH,
          body: IntrospectBody,
        },
      },
      async (request, reply) =>
        introspect(principalOf(request), request.body.token, reply, options),
    );
  });
}

/**
 * Sends a verdict: at once when it was reached without waiting (a cached credential), which
 * spares the hot path a promise; otherwise once it is.
 */
function answer(
  reply: FastifyReply,
  verdict: MaybeAsync<Verdict>,
): Promise<FastifyReply> | undefined {
  if (verdict instanceof Promise) return verdict.then((reached) => sendVerdict(reply, reached));
  sendVerdict(reply, verdict);
  return undefined;
}

/**
 * Forward auth's decision: the credentials, then the permissions the request needs, then the
 * token's limits. Each verification of a known token is counted as allowed or refused. Reached
 * without a promise when neither the credentials nor the limits need the store.
 */
function forwardAuth(
  request: FastifyRequest,
  options: AuthRoutesOptions,
  guarded: GuardedRequest,
): MaybeAsync<Verdict> {
  return whenReady(
    checkBasic(request, options.authenticator, options.budgets, "cached"),
    (checked) =>
      "refusal" in checked
        ? credentialsRefused(checked.refusal, options)
        : permitted(checked.principal, options, guarded),
  );
}

function credentialsRefused(
  { reason, token, message, retryAfterSeconds }: BasicRefusal,
  { metrics, usage, clock }: AuthRoutesOptions,
): Verdict {
  metrics?.verifyOutcomes.inc({ outcome: "unauthorized" });
  if (token) usage.count(token, false, clock.now().getTime());
  // Over the failed-authentication budget too the answer is a 401 that says why: proxies
  // understand only 401 and 403.
  const refusal = refusalMessage(reason, message);
  return { allowed: false, reason, status: 401, message: refusal, retryAfterSeconds };
}

function refusalMessage(reason: RefusalReason, message: string): string {
  if (reason === "disabled") return "This API token is disabled: enable it again to use it.";
  if (reason === "expired") return "This API token has expired: it authenticates nowhere now.";
  return message;
}

function sendVerdict(reply: FastifyReply, verdict: Verdict): FastifyReply {
  if (verdict.allowed) {
    allowedHeaders(reply, verdict.principal, verdict.limits);
    return reply.code(200).send();
  }
  reply.header("x-tokenspace-reason", verdict.reason);
  if (verdict.status === 401) {
    if (verdict.retryAfterSeconds !== undefined) {
      reply.header("retry-after", String(verdict.retryAfterSeconds));
    }
    const refused = failure("unauthorized", verdict.message);
    return sendFailure(reply, refused, renderAuthFailure(refused));
  }
  if (verdict.limited) {
    rateLimitHeaders(reply, verdict.limited.principal, verdict.limited.rate);
    if (verdict.reason === "rate_limited") {
      reply.header("retry-after", String(retryAfterSeconds(verdict.limited.rate)));
    }
  }
  return reply.code(verdict.status).send({ error: verdict.message });
}

/**
 * A token introspected: active only within the caller's reach and within its limits. Outside
 * the caller's reach every token is unauthenticated, whatever its state.
 */
async function introspect(
  caller: Principal,
  secret: string,
  reply: FastifyReply,
  { authenticator, projects, limiter, usage, clock }: AuthRoutesOptions,
): Promise<object> {
  const inactive = (reason: RefusalReason, token?: VerifiedToken) => {
    if (token) usage.count(token, false, clock.now().getTime());
    reply.header("x-tokenspace-reason", reason);
    return { active: false };
  };
  const inspected = await authenticator.inspect(secret);
  const owner = isRefusal(inspected) ? inspected.token?.projectId : inspected.token.projectId;
  if (owner === undefined) return inactive("unauthenticated");
  const ownerProject = owner === caller.projectId ? undefined : await projects.find(owner);
  if (owner !== caller.projectId && ownerProject?.parentId !== caller.projectId) {
    return inactive("unauthenticated");
  }
  if (isRefusal(inspected)) return inactive(inspected.reason, inspected.token);
  const { token, principal } = inspected;
  const now = clock.now();
  const limits = await limiter.admit(principal, now);
  limitHeaders(reply, principal, limits);
  if (!limits.allowed) {
    if (limits.reason === "rate_limited") {
      reply.header("retry-after", String(retryAfterSeconds(limits.rate)));
    }
    return inactive(limits.reason, principal);
  }
  usage.count(principal, true, now.getTime());
  return {
    active: true,
    project_id: token.projectId,
    token_id: token.id,
    name: token.name,
    permissions: token.permissions,
  };
}

import type { IncomingHttpHeaders } from "node:http";
import type { RefusalReason } from "@tokenspace/contract";
import type { Clock } from "../domain/clock.js";
import { MalformedRequestError } from "../domain/errors.js";
import { type MaybeAsync, whenReady } from "../domain/maybe-async.js";
import { isPermission, PERMISSIONS, type Permission } from "../domain/permissions.js";
import type { Principal } from "../domain/principal.js";
import type { RateDecision } from "../domain/rate-limiter.js";
import type { LimitVerdict, TokenLimiter } from "../domain/token-limiter.js";
import type { UsageRecorder } from "../domain/usage-recorder.js";
import type { VerifyRules } from "../domain/verify-rules.js";
import type { Metrics } from "../runtime/metrics.js";

/** What forward auth decides with, once the credentials are checked. */
export interface ForwardAuthServices {
  readonly rules: VerifyRules | undefined;
  readonly metrics: Metrics | undefined;
  readonly limiter: TokenLimiter;
  readonly usage: UsageRecorder;
  readonly clock: Clock;
}

/** The statuses a token over its limits may be refused with: 429, or 403 for nginx. */
const OVER_LIMIT_STATUSES = [429, 403] as const;
type OverLimitStatus = (typeof OVER_LIMIT_STATUSES)[number];

/** The request a proxy asks about: what it needs, and how an over-limit refusal is answered. */
export interface GuardedRequest {
  /** The permissions the query asks for. */
  readonly asked: readonly Permission[];
  /** The guarded request's method and path, for the rules file. */
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly overLimitStatus: OverLimitStatus;
}

/** What forward auth decided, before it is written as an answer. */
export type Verdict =
  | { readonly allowed: true; readonly principal: Principal; readonly limits: LimitVerdict }
  | {
      readonly allowed: false;
      readonly reason: RefusalReason;
      readonly status: 401 | OverLimitStatus;
      readonly message: string;
      /** A 401 from over the failed-authentication budget: until it renews. */
      readonly retryAfterSeconds?: number;
      /** Over the rate: the token and where its rate stands, for the RateLimit fields. */
      readonly limited?: { readonly principal: Principal; readonly rate: RateDecision };
    };

/** Where an answer's header fields go: a Fastify reply, or the fields of a raw answer. */
interface HeaderSink {
  header(name: string, value: string): unknown;
}

/**
 * The request a proxy asks about, from `/auth/verify`'s query (`permission=`, repeated, and
 * `over_limit_status=`) and the proxy's forwarded method and URI. A query value that is not
 * accepted is a MalformedRequestError.
 */
export function guardedRequest(query: unknown, headers: IncomingHttpHeaders): GuardedRequest {
  return {
    asked: queryPermissions(query),
    overLimitStatus: queryOverLimitStatus(query),
    path: forwardedUri(headers)?.split("?")[0],
    method: header(headers, "x-forwarded-method"),
  };
}

/** The permissions a verified request needs, then the token's limits. */
export function permitted(
  principal: Principal,
  services: ForwardAuthServices,
  { asked, method, path, overLimitStatus }: GuardedRequest,
): MaybeAsync<Verdict> {
  const { metrics, usage, clock } = services;
  const now = clock.now();
  const missing = missingPermissions(principal, asked, services.rules?.required(method, path));
  if (missing.length > 0) {
    metrics?.verifyOutcomes.inc({ outcome: "forbidden" });
    usage.count(principal, false, now.getTime());
    return {
      allowed: false,
      reason: "forbidden",
      status: 403,
      message: `This API token does not have the ${missing.join(", ")} permission${missing.length > 1 ? "s" : ""} this request needs.`,
    };
  }
  const limitsReached = (limits: LimitVerdict): Verdict => {
    metrics?.verifyOutcomes.inc({ outcome: limits.allowed ? "allowed" : limits.reason });
    usage.count(principal, limits.allowed, now.getTime());
    if (limits.allowed) return { allowed: true, principal, limits };
    return {
      allowed: false,
      reason: limits.reason,
      status: overLimitStatus,
      message: overLimitMessage(principal, limits.reason, limits.rate),
      ...(limits.rate && { limited: { principal, rate: limits.rate } }),
    };
  };
  return whenReady(services.limiter.admit(principal, now), limitsReached);
}

/** The header fields of an allowed verification: who the token is, what it may do, its limits. */
export function allowedHeaders(sink: HeaderSink, principal: Principal, limits: LimitVerdict): void {
  sink.header("x-tokenspace-project-id", principal.projectId);
  sink.header("x-tokenspace-token-id", principal.tokenId);
  sink.header("x-tokenspace-permissions", permissionsHeader(principal));
  limitHeaders(sink, principal, limits);
}

/** The limit headers of an answer about a token: its rate and, when they are limited, its uses. */
export function limitHeaders(sink: HeaderSink, principal: Principal, limits: LimitVerdict): void {
  if (limits.rate) rateLimitHeaders(sink, principal, limits.rate);
  if (limits.allowed && limits.usesRemaining !== undefined) {
    sink.header("x-tokenspace-uses-remaining", String(limits.usesRemaining));
  }
}

/** The RateLimit-Policy and RateLimit fields of draft-ietf-httpapi-ratelimit-headers. */
export function rateLimitHeaders(sink: HeaderSink, principal: Principal, rate: RateDecision): void {
  let policy = policyHeaders.get(principal);
  if (policy === undefined) {
    const windowSeconds = Math.round((principal.rateLimit?.windowMs ?? 0) / 1000);
    policy = `"token";q=${principal.rateLimit?.limit ?? 0};w=${windowSeconds}`;
    policyHeaders.set(principal, policy);
  }
  sink.header("ratelimit-policy", policy);
  sink.header("ratelimit", `"token";r=${rate.remaining};t=${retryAfterSeconds(rate)}`);
}

/** Seconds until the rate window ends, at least 1. */
export function retryAfterSeconds(rate: RateDecision | undefined): number {
  return Math.max(1, Math.ceil((rate?.resetMs ?? 0) / 1000));
}

/** The permissions asked for and required by the rules that the principal lacks, each once. */
function missingPermissions(
  principal: Principal,
  asked: readonly Permission[],
  ruled: Iterable<Permission> | undefined,
): Permission[] {
  const missing: Permission[] = [];
  const note = (permission: Permission) => {
    if (!principal.permissions.has(permission) && !missing.includes(permission)) {
      missing.push(permission);
    }
  };
  for (const permission of asked) note(permission);
  if (ruled) for (const permission of ruled) note(permission);
  return missing;
}

function overLimitMessage(
  principal: Principal,
  reason: "rate_limited" | "usage_exceeded",
  rate: RateDecision | undefined,
): string {
  if (reason === "usage_exceeded") return "This API token has no uses left.";
  const limit = principal.rateLimit?.limit ?? 0;
  return `This API token's rate limit of ${limit} verification${limit === 1 ? "" : "s"} a window is used up; try again in ${retryAfterSeconds(rate)} s.`;
}

/** The RateLimit-Policy field of a principal, made once per cached principal. */
const policyHeaders = new WeakMap<Principal, string>();

/** The header naming a principal's permissions, made once per cached principal. */
const permissionHeaders = new WeakMap<Principal, string>();

function permissionsHeader(principal: Principal): string {
  let header = permissionHeaders.get(principal);
  if (header === undefined) {
    header = PERMISSIONS.filter((permission) => principal.permissions.has(permission)).join(",");
    permissionHeaders.set(principal, header);
  }
  return header;
}

/** Every `permission=` of the query, each one of the eleven. */
function queryPermissions(query: unknown): Permission[] {
  const raw = (query as { permission?: unknown } | undefined)?.permission;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return values.map((value) => {
    if (!isPermission(value)) {
      throw new MalformedRequestError(
        `permission=${String(value).slice(0, 64)} is not a permission; use one of: ${PERMISSIONS.join(", ")}.`,
      );
    }
    return value;
  });
}

/** `over_limit_status=403` for nginx; 429 otherwise. */
function queryOverLimitStatus(query: unknown): OverLimitStatus {
  const raw = (query as { over_limit_status?: unknown } | undefined)?.over_limit_status;
  if (raw === undefined) return 429;
  const status = OVER_LIMIT_STATUSES.find((allowed) => String(allowed) === raw);
  if (status === undefined) {
    throw new MalformedRequestError(
      `over_limit_status=${String(raw).slice(0, 16)} is not accepted; use 429 (the default) or 403 (for nginx auth_request).`,
    );
  }
  return status;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The URI the proxy guards: Traefik and Caddy send X-Forwarded-Uri, nginx (as configured) X-Original-URI. */
function forwardedUri(headers: IncomingHttpHeaders): string | undefined {
  return header(headers, "x-forwarded-uri") ?? header(headers, "x-original-uri");
}

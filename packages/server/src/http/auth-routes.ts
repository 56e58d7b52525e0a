import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Authenticator } from "../domain/authenticator.js";
import { MalformedRequestError } from "../domain/errors.js";
import { isPermission, PERMISSIONS, type Permission } from "../domain/permissions.js";
import type { Principal } from "../domain/principal.js";
import type { ProjectService } from "../domain/project-service.js";
import type { VerifyRules } from "../domain/verify-rules.js";
import type { Metrics } from "../runtime/metrics.js";
import type { RequestBudgets } from "./budget-charges.js";
import { failure } from "./failure/failure.js";
import { failureHandler, notFoundHandler, sendFailure } from "./failure/failure-handler.js";
import { checkBasic, principalOf, requireManagement } from "./management-auth.js";
import { BASIC_AUTH } from "./schemas.js";

const ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const TAGS = ["Tokenspace: verification"];

interface AuthRoutesOptions {
  readonly authenticator: Authenticator;
  readonly projects: ProjectService;
  readonly budgets: RequestBudgets;
  readonly rules: VerifyRules | undefined;
  readonly metrics: Metrics | undefined;
}

/** Errors here are for proxies and services: the status matters, the body explains it. */
const renderAuthFailure = (failed: { message: string }) => ({ error: failed.message });

const IntrospectBody = Type.Object({
  token: Type.String({ maxLength: 256, description: "The API token to look up." }),
  token_type_hint: Type.Optional(Type.String({ maxLength: 64 })),
});

/**
 * Tokenspace's own endpoints for other systems, beside SignalWire's surfaces: forward auth for
 * reverse proxies (`/auth/verify`) and token introspection for services (`/auth/introspect`).
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
        "Forward auth: verify the forwarded Basic credentials and the permissions the request needs",
      description:
        "For nginx auth_request, Traefik ForwardAuth, Caddy forward_auth and Envoy ext_authz. Requires every `permission` given and those the rules file names for X-Forwarded-Method and X-Forwarded-Uri (or X-Original-URI). 200 with X-Tokenspace-Project-Id, X-Tokenspace-Token-Id and X-Tokenspace-Permissions; 401 when the credentials are missing or wrong; 403 when a permission is missing.",
      tags: TAGS,
      security: BASIC_AUTH,
    },
    handler: async (request, reply) => {
      const asked = queryPermissions(request.query);
      const checked = await checkBasic(request, options.authenticator, options.budgets, {
        fresh: false,
      });
      if ("refusal" in checked) {
        options.metrics?.verifyOutcomes.inc({ outcome: "unauthorized" });
        // Over the failed-authentication budget too the answer is a 401 that says why: proxies
        // understand only 401 and 403.
        const refused = failure("unauthorized", checked.refusal.message);
        return sendFailure(reply, refused, renderAuthFailure(refused));
      }
      const { principal } = checked;
      const forwardedPath = forwardedUri(request)?.split("?")[0];
      const required = new Set<Permission>([
        ...asked,
        ...(options.rules?.required(header(request, "x-forwarded-method"), forwardedPath) ?? []),
      ]);
      const missing = [...required].filter((permission) => !principal.permissions.has(permission));
      if (missing.length > 0) {
        options.metrics?.verifyOutcomes.inc({ outcome: "forbidden" });
        return reply.code(403).send({
          error: `This API token does not have the ${missing.join(", ")} permission${missing.length > 1 ? "s" : ""} this request needs.`,
        });
      }
      options.metrics?.verifyOutcomes.inc({ outcome: "allowed" });
      return reply
        .header("x-tokenspace-project-id", principal.projectId)
        .header("x-tokenspace-token-id", principal.tokenId)
        .header("x-tokenspace-permissions", permissionsHeader(principal))
        .code(200)
        .send();
    },
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
            'Called with a management token. Active for a token of the caller\'s project or one of its subprojects; every other token, deleted or elsewhere, is {"active": false}.',
          tags: TAGS,
          security: BASIC_AUTH,
          body: IntrospectBody,
        },
      },
      async (request) => introspect(principalOf(request), request.body.token, options),
    );
  });
}

async function introspect(
  caller: Principal,
  secret: string,
  { authenticator, projects }: AuthRoutesOptions,
): Promise<object> {
  const token = await authenticator.activeToken(secret);
  if (!token) return { active: false };
  const owner = await projects.find(token.projectId);
  const reachable = token.projectId === caller.projectId || owner?.parentId === caller.projectId;
  if (!reachable) return { active: false };
  return {
    active: true,
    project_id: token.projectId,
    token_id: token.id,
    name: token.name,
    permissions: token.permissions,
  };
}

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

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The URI the proxy guards: Traefik and Caddy send X-Forwarded-Uri, nginx (as configured) X-Original-URI. */
function forwardedUri(request: FastifyRequest): string | undefined {
  return header(request, "x-forwarded-uri") ?? header(request, "x-original-uri");
}

import type { FastifyRequest } from "fastify";
import { auditEntryView } from "../domain/audit-log.js";
import type { LifecycleChanges, TokenChanges } from "../domain/token-fields.js";
import type { LimitChanges } from "../domain/token-limits.js";
import type { NewToken } from "../domain/token-service.js";
import type { UsageQuery as UsageQueryInput } from "../domain/usage-report.js";
import {
  AuditListQuery,
  AuditListSchema,
  type CreateManagedTokenBody,
  CreateManagedTokenBodySchema,
  IssuedManagedTokenSchema,
  ManagedTokenListQuery,
  ManagedTokenListSchema,
  ManagedTokenSchema,
  ProjectUsageQuery,
  type RerollBody,
  RerollBodySchema,
  type UpdateManagedTokenBody,
  UpdateManagedTokenBodySchema,
  UsageQuery,
  UsageSchema,
} from "./extension-schemas.js";
import { renderNativeFailure } from "./failure/native-failure.js";
import { nativeList } from "./list-envelopes.js";
import { actorOf, confirmedWrite, confirmsCredential, principalOf } from "./management-auth.js";
import { NO_CONTENT, routeDocs } from "./route-docs.js";
import {
  errorResponses,
  NativeErrorSchema,
  NativeValidationErrorSchema,
  type TokenIdParams,
  TokenIdParams as TokenIdParamsSchema,
} from "./schemas.js";
import type { Surface } from "./surface.js";

const MANAGED_TOKEN_LIST = nativeList(ManagedTokenListQuery, ManagedTokenListSchema, [
  "expiring_within",
  "project_id",
  "name",
]);
const AUDIT_LIST = nativeList(AuditListQuery, AuditListSchema, [
  "project_id",
  "target",
  "action",
  "since",
  "until",
  "order",
]);

const ERRORS = errorResponses(NativeErrorSchema, NativeValidationErrorSchema);
const TOKENS_TAG = ["Tokenspace: token lifecycle"];
const AUDIT_TAG = ["Tokenspace: audit log"];
const USAGE_TAG = ["Tokenspace: usage"];

/**
 * Tokenspace's extension surface, beside SignalWire's: tokens of the authenticated project and
 * its subprojects with their lifecycle (expiry, enabled, last used, reroll), and the audit log.
 * Same credentials (a `management` token) and the native error shapes.
 */
export const EXTENSION_SURFACE: Surface = {
  prefixes: ["/api/tokenspace"],
  acceptsJsonSuffix: false,
  title: "Tokenspace's extension API",
  specName: "tokenspace",
  renderFailure: renderNativeFailure,
  async registerRoutes(app, { tokens, audit, reports, authenticator, budgets }) {
    const write = confirmedWrite(authenticator, budgets);
    const tokenDoc = routeDocs(TOKENS_TAG, ERRORS);
    const params = TokenIdParamsSchema;
    const target = async (request: FastifyRequest<{ Params: TokenIdParams }>) =>
      [
        await tokens.ownerOf(principalOf(request).projectId, request.params.token_id),
        request.params.token_id,
      ] as const;

    app.post<{ Body: CreateManagedTokenBody }>(
      "/tokens",
      confirmsCredential(
        tokenDoc("create_token", "Create an API token with its lifecycle", {
          body: CreateManagedTokenBodySchema,
          response: { 201: IssuedManagedTokenSchema },
        }),
      ),
      async (request, reply) => {
        const body = newManagedToken(request.body);
        const created = await write(request, () =>
          tokens.createManaged(principalOf(request).projectId, body, actorOf(request)),
        );
        return reply.code(201).send(created);
      },
    );

    app.get<{ Querystring: ManagedTokenListQuery }>(
      "/tokens",
      tokenDoc(
        "list_tokens",
        "List the tokens of your project and its subprojects, with their lifecycle",
        {
          querystring: MANAGED_TOKEN_LIST.query,
          response: { 200: ManagedTokenListSchema },
        },
      ),
      async (request) => {
        const page = MANAGED_TOKEN_LIST.read(request.query as Record<string, unknown>);
        const { expiring_within, project_id, name } = request.query;
        const found = await tokens.listManaged(
          principalOf(request).projectId,
          {
            ...(expiring_within !== undefined && { expiringWithin: expiring_within }),
            ...(project_id !== undefined && { projectId: project_id }),
            ...(name !== undefined && { name }),
          },
          page,
        );
        return MANAGED_TOKEN_LIST.render(`${app.prefix}/tokens`, found, page);
      },
    );

    app.get<{ Params: TokenIdParams }>(
      "/tokens/:token_id",
      tokenDoc("get_token", "Fetch a token's lifecycle (without its secret)", {
        params,
        response: { 200: ManagedTokenSchema },
      }),
      async (request) => tokens.getManaged(...(await target(request))),
    );

    app.patch<{ Params: TokenIdParams; Body: UpdateManagedTokenBody }>(
      "/tokens/:token_id",
      confirmsCredential(
        tokenDoc("update_token", "Change a token: name, permissions, expiry, enabled", {
          params,
          body: UpdateManagedTokenBodySchema,
          response: { 200: ManagedTokenSchema },
        }),
      ),
      (request) =>
        write(request, async () =>
          tokens.updateManaged(
            ...(await target(request)),
            managedTokenChanges(request.body),
            actorOf(request),
          ),
        ),
    );

    app.post<{ Params: TokenIdParams; Body: RerollBody }>(
      "/tokens/:token_id/reroll",
      tokenDoc("reroll_token", "Reroll: a new secret, the previous one kept for an overlap", {
        params,
        body: RerollBodySchema,
        response: { 200: IssuedManagedTokenSchema },
      }),
      async (request) =>
        tokens.reroll(...(await target(request)), request.body.overlap, actorOf(request)),
    );

    app.delete<{ Params: TokenIdParams }>(
      "/tokens/:token_id",
      confirmsCredential(
        tokenDoc("delete_token", "Delete a token", { params, response: NO_CONTENT }),
      ),
      async (request, reply) => {
        await write(request, async () =>
          tokens.delete(...(await target(request)), actorOf(request)),
        );
        return reply.code(204).send();
      },
    );

    const usageDoc = routeDocs(USAGE_TAG, ERRORS);
    app.get<{ Params: TokenIdParams; Querystring: UsageQuery }>(
      "/tokens/:token_id/usage",
      usageDoc("get_token_usage", "A token's verifications, allowed and refused, in buckets", {
        params,
        querystring: UsageQuery,
        response: { 200: UsageSchema },
      }),
      async (request) => {
        const [, tokenId] = await target(request);
        return reports.ofToken(tokenId, usageQueryOf(request.query));
      },
    );

    app.get<{ Querystring: ProjectUsageQuery }>(
      "/usage",
      usageDoc(
        "get_usage",
        "Verifications of every token of your project and its subprojects, in buckets",
        { querystring: ProjectUsageQuery, response: { 200: UsageSchema } },
      ),
      async (request) =>
        reports.ofProjects(principalOf(request).projectId, {
          ...usageQueryOf(request.query),
          ...(request.query.project_id !== undefined && { projectId: request.query.project_id }),
        }),
    );

    app.get<{ Querystring: AuditListQuery }>(
      "/audit",
      routeDocs(AUDIT_TAG, ERRORS)(
        "list_audit_events",
        "The audit log of your project, its subprojects and the service, oldest first",
        { querystring: AUDIT_LIST.query, response: { 200: AuditListSchema } },
      ),
      async (request) => {
        const page = AUDIT_LIST.read(request.query as Record<string, unknown>);
        const { project_id, target, action, since, until, order } = request.query;
        const found = await audit.list(
          principalOf(request).projectId,
          {
            ...(project_id !== undefined && { projectId: project_id }),
            ...(order !== undefined && { order }),
            ...(target !== undefined && { target }),
            ...(action !== undefined && { action }),
            ...(since !== undefined && { since }),
            ...(until !== undefined && { until }),
          },
          page,
        );
        return AUDIT_LIST.render(
          `${app.prefix}/audit`,
          { ...found, items: found.items.map(auditEntryView) },
          page,
        );
      },
    );
  },
};

/** A create body as the domain takes it. */
function newManagedToken(body: CreateManagedTokenBody): NewToken {
  return {
    name: body.name,
    permissions: body.permissions,
    ...(body.subproject_id !== undefined && { subprojectId: body.subproject_id }),
    ...(body.expires_at !== undefined && { expiresAt: body.expires_at }),
    ...(body.enabled !== undefined && { enabled: body.enabled }),
    ...limitChanges(body),
  };
}

/** An update body as the domain takes it. */
function managedTokenChanges(
  body: UpdateManagedTokenBody,
): TokenChanges & LifecycleChanges & LimitChanges {
  return {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.permissions !== undefined && { permissions: body.permissions }),
    ...(body.expires_at !== undefined && { expiresAt: body.expires_at }),
    ...(body.enabled !== undefined && { enabled: body.enabled }),
    ...limitChanges(body),
  };
}

function limitChanges(body: CreateManagedTokenBody | UpdateManagedTokenBody): LimitChanges {
  return {
    ...(body.rate_limit !== undefined && { rateLimit: body.rate_limit }),
    ...(body.uses_remaining !== undefined && { usesRemaining: body.uses_remaining }),
    ...(body.uses_refill !== undefined && { usesRefill: body.uses_refill }),
  };
}

function usageQueryOf(query: UsageQuery): UsageQueryInput {
  return {
    ...(query.since !== undefined && { since: query.since }),
    ...(query.granularity !== undefined && { granularity: query.granularity }),
  };
}

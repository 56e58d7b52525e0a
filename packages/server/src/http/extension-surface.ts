import type { FastifyRequest } from "fastify";
import { auditEntryView } from "../domain/audit-log.js";
import {
  AuditListQuery,
  AuditListSchema,
  type CreateManagedTokenBody,
  CreateManagedTokenBodySchema,
  IssuedManagedTokenSchema,
  ManagedTokenListQuery,
  ManagedTokenListSchema,
  ManagedTokenSchema,
  type RerollBody,
  RerollBodySchema,
  type UpdateManagedTokenBody,
  UpdateManagedTokenBodySchema,
} from "./extension-schemas.js";
import { nativeList } from "./list-envelopes.js";
import { actorOf, principalOf } from "./management-auth.js";
import { renderNativeFailure } from "./native-errors.js";
import {
  BASIC_AUTH,
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

/**
 * Tokenspace's extension surface, beside SignalWire's: tokens of the authenticated project and
 * its subprojects with their lifecycle (expiry, enabled, last used, reroll), and the audit log.
 * Same credentials (a `management` token) and the native error shapes.
 */
export const EXTENSION_SURFACE: Surface = {
  prefixes: ["/api/tokenspace"],
  acceptsJsonSuffix: false,
  title: "Tokenspace's extension API",
  renderFailure: renderNativeFailure,
  async registerRoutes(app, { tokens, audit }) {
    const tokenSchema = (summary: string, extra: object) => ({
      summary,
      tags: TOKENS_TAG,
      security: BASIC_AUTH,
      ...extra,
    });
    const owner = (request: FastifyRequest<{ Params: TokenIdParams }>) =>
      tokens.ownerOf(principalOf(request).projectId, request.params.token_id);

    app.post<{ Body: CreateManagedTokenBody }>(
      "/tokens",
      {
        schema: tokenSchema("Create an API token with its lifecycle", {
          body: CreateManagedTokenBodySchema,
          response: { 201: IssuedManagedTokenSchema, ...ERRORS },
        }),
      },
      async (request, reply) => {
        const body = request.body;
        const created = await tokens.createManaged(
          principalOf(request).projectId,
          {
            name: body.name,
            permissions: body.permissions,
            ...(body.subproject_id !== undefined && { subprojectId: body.subproject_id }),
            ...(body.expires_at !== undefined && { expiresAt: body.expires_at }),
            ...(body.enabled !== undefined && { enabled: body.enabled }),
          },
          actorOf(request),
        );
        return reply.code(201).send(created);
      },
    );

    app.get<{ Querystring: ManagedTokenListQuery }>(
      "/tokens",
      {
        schema: tokenSchema(
          "List the tokens of your project and its subprojects, with their lifecycle",
          {
            querystring: MANAGED_TOKEN_LIST.query,
            response: { 200: ManagedTokenListSchema, ...ERRORS },
          },
        ),
      },
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
          page.pageSize,
          page.cursor,
        );
        return MANAGED_TOKEN_LIST.render(`${app.prefix}/tokens`, found, page);
      },
    );

    app.get<{ Params: TokenIdParams }>(
      "/tokens/:token_id",
      {
        schema: tokenSchema("Fetch a token's lifecycle (without its secret)", {
          params: TokenIdParamsSchema,
          response: { 200: ManagedTokenSchema, ...ERRORS },
        }),
      },
      async (request) => tokens.getManaged(await owner(request), request.params.token_id),
    );

    app.patch<{ Params: TokenIdParams; Body: UpdateManagedTokenBody }>(
      "/tokens/:token_id",
      {
        schema: tokenSchema("Change a token: name, permissions, expiry, enabled", {
          params: TokenIdParamsSchema,
          body: UpdateManagedTokenBodySchema,
          response: { 200: ManagedTokenSchema, ...ERRORS },
        }),
      },
      async (request) => {
        const body = request.body;
        return tokens.updateManaged(
          await owner(request),
          request.params.token_id,
          {
            ...(body.name !== undefined && { name: body.name }),
            ...(body.permissions !== undefined && { permissions: body.permissions }),
            ...(body.expires_at !== undefined && { expiresAt: body.expires_at }),
            ...(body.enabled !== undefined && { enabled: body.enabled }),
          },
          actorOf(request),
        );
      },
    );

    app.post<{ Params: TokenIdParams; Body: RerollBody }>(
      "/tokens/:token_id/reroll",
      {
        schema: tokenSchema("Reroll: a new secret, the previous one kept for an overlap", {
          params: TokenIdParamsSchema,
          body: RerollBodySchema,
          response: { 200: IssuedManagedTokenSchema, ...ERRORS },
        }),
      },
      async (request) =>
        tokens.reroll(
          await owner(request),
          request.params.token_id,
          request.body.overlap,
          actorOf(request),
        ),
    );

    app.delete<{ Params: TokenIdParams }>(
      "/tokens/:token_id",
      {
        schema: tokenSchema("Delete a token", {
          params: TokenIdParamsSchema,
          response: { 204: { type: "null", description: "Deleted." }, ...ERRORS },
        }),
      },
      async (request, reply) => {
        await tokens.delete(await owner(request), request.params.token_id, actorOf(request));
        return reply.code(204).send();
      },
    );

    app.get<{ Querystring: AuditListQuery }>(
      "/audit",
      {
        schema: {
          summary: "The audit log of your project, its subprojects and the service, oldest first",
          tags: AUDIT_TAG,
          security: BASIC_AUTH,
          querystring: AUDIT_LIST.query,
          response: { 200: AuditListSchema, ...ERRORS },
        },
      },
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
          page.pageSize,
          page.cursor,
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

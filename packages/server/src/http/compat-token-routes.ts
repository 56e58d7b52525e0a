import type { FastifyInstance, FastifyRequest } from "fastify";
import { decodePageToken } from "../domain/page-cursor.js";
import type { ProjectService } from "../domain/project-service.js";
import type { TokenService } from "../domain/token-service.js";
import { compatListEnvelope } from "./list-envelopes.js";
import { principalOf } from "./management-auth.js";
import {
  AccountSidParams,
  BASIC_AUTH,
  CompatErrorSchema,
  CompatPageQuery,
  CompatTokenListSchema,
  CompatValidationErrorSchema,
  type CreateTokenBody,
  CreateTokenBodySchema,
  DEFAULT_PAGE_SIZE,
  errorResponses,
  TokenParams,
  TokenSchema,
  type UpdateTokenBody,
  UpdateTokenBodySchema,
} from "./schemas.js";
import { COMPAT_PREFIX } from "./surface-prefixes.js";

const TAGS = ["Compatibility: Tokens"];
const ERROR_RESPONSES = errorResponses(CompatErrorSchema, CompatValidationErrorSchema);

export function registerCompatTokenRoutes(
  app: FastifyInstance,
  { tokens, projects }: { tokens: TokenService; projects: ProjectService },
) {
  const scope = (request: FastifyRequest<{ Params: AccountSidParams }>) =>
    projects.scopeFor(principalOf(request), request.params.AccountSid);

  app.post<{ Params: AccountSidParams; Body: CreateTokenBody }>(
    "/Accounts/:AccountSid/tokens",
    {
      schema: {
        summary: "Generate a new API token",
        tags: TAGS,
        security: BASIC_AUTH,
        params: AccountSidParams,
        body: CreateTokenBodySchema,
        response: { 200: TokenSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { name, permissions, subproject_id } = request.body;
      return tokens.create(await scope(request), {
        name,
        permissions,
        ...(subproject_id !== undefined && { subprojectId: subproject_id }),
      });
    },
  );

  app.get<{ Params: AccountSidParams; Querystring: CompatPageQuery }>(
    "/Accounts/:AccountSid/tokens",
    {
      schema: {
        summary: "List API tokens (without their secrets)",
        tags: TAGS,
        security: BASIC_AUTH,
        params: AccountSidParams,
        querystring: CompatPageQuery,
        response: { 200: CompatTokenListSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const projectId = await scope(request);
      const { PageToken, PageSize = DEFAULT_PAGE_SIZE } = request.query;
      const cursor = PageToken === undefined ? undefined : decodePageToken(PageToken);
      const page = await tokens.list(projectId, PageSize, cursor);
      const path = `${COMPAT_PREFIX}/Accounts/${projectId}/tokens`;
      return compatListEnvelope(path, "tokens", page, PageSize, PageToken);
    },
  );

  app.get<{ Params: TokenParams }>(
    "/Accounts/:AccountSid/tokens/:token_id",
    {
      schema: {
        summary: "Fetch an API token, with its secret",
        tags: TAGS,
        security: BASIC_AUTH,
        params: TokenParams,
        response: { 200: TokenSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => tokens.get(await scope(request), request.params.token_id),
  );

  app.patch<{ Params: TokenParams; Body: UpdateTokenBody }>(
    "/Accounts/:AccountSid/tokens/:token_id",
    {
      schema: {
        summary: "Update an API token's name or permissions",
        tags: TAGS,
        security: BASIC_AUTH,
        params: TokenParams,
        body: UpdateTokenBodySchema,
        response: { 200: TokenSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => tokens.update(await scope(request), request.params.token_id, request.body),
  );

  app.delete<{ Params: TokenParams }>(
    "/Accounts/:AccountSid/tokens/:token_id",
    {
      schema: {
        summary: "Delete an API token",
        tags: TAGS,
        security: BASIC_AUTH,
        params: TokenParams,
        response: { 204: { type: "null", description: "Deleted." }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await tokens.delete(await scope(request), request.params.token_id);
      return reply.code(204).send();
    },
  );
}

import type { FastifyInstance, FastifyRequest } from "fastify";
import { decodePageToken, encodePageToken, type PageCursor } from "../domain/page-cursor.js";
import type { Principal } from "../domain/principal.js";
import type { ProjectService } from "../domain/project-service.js";
import type { TokenService } from "../domain/token-service.js";
import {
  AccountSidParams,
  CompatErrorSchema,
  CompatPageQuery,
  CompatTokenListSchema,
  CompatValidationErrorSchema,
  type CreateTokenBody,
  CreateTokenBodySchema,
  DEFAULT_PAGE_SIZE,
  TokenParams,
  TokenSchema,
  type UpdateTokenBody,
  UpdateTokenBodySchema,
} from "./schemas.js";

interface Services {
  readonly tokens: TokenService;
  readonly projects: ProjectService;
}

const TAGS = ["Compatibility: Tokens"];
const SECURITY = [{ basicAuth: [] }];
const errorResponses = {
  400: CompatErrorSchema,
  401: CompatErrorSchema,
  404: CompatErrorSchema,
  413: CompatErrorSchema,
  415: CompatErrorSchema,
  422: CompatValidationErrorSchema,
};

function principalOf(request: FastifyRequest): Principal {
  return request.principal as Principal;
}

export function registerCompatTokenRoutes(app: FastifyInstance, { tokens, projects }: Services) {
  const scope = (request: FastifyRequest<{ Params: AccountSidParams }>) =>
    projects.scopeFor(principalOf(request), request.params.AccountSid);

  app.post<{ Params: AccountSidParams; Body: CreateTokenBody }>(
    "/Accounts/:AccountSid/tokens",
    {
      schema: {
        summary: "Generate a new API token",
        tags: TAGS,
        security: SECURITY,
        params: AccountSidParams,
        body: CreateTokenBodySchema,
        response: { 200: TokenSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { name, permissions, subproject_id } = request.body ?? {};
      return tokens.create(scope(request), {
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
        security: SECURITY,
        params: AccountSidParams,
        querystring: CompatPageQuery,
        response: { 200: CompatTokenListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const projectId = scope(request);
      const { PageToken } = request.query;
      const pageSize = request.query.PageSize ?? DEFAULT_PAGE_SIZE;
      const cursor = PageToken === undefined ? undefined : decodePageToken(PageToken);
      const result = await tokens.list(projectId, pageSize, cursor);
      const base = `${request.routeOptions.url?.replace(":AccountSid", projectId)}`;
      const pageUri = (page: PageCursor | undefined) =>
        page === undefined
          ? null
          : `${base}?Page=${page.page}&PageSize=${pageSize}&PageToken=${encodePageToken(page)}`;
      return {
        uri: `${base}?Page=${result.page}&PageSize=${pageSize}${PageToken === undefined ? "" : `&PageToken=${PageToken}`}`,
        first_page_uri: `${base}?Page=0&PageSize=${pageSize}`,
        next_page_uri: pageUri(result.next),
        previous_page_uri: pageUri(result.previous),
        page: result.page,
        page_size: pageSize,
        tokens: result.tokens,
      };
    },
  );

  app.get<{ Params: TokenParams }>(
    "/Accounts/:AccountSid/tokens/:token_id",
    {
      schema: {
        summary: "Fetch an API token, with its secret",
        tags: TAGS,
        security: SECURITY,
        params: TokenParams,
        response: { 200: TokenSchema, ...errorResponses },
      },
    },
    async (request) => tokens.get(scope(request), request.params.token_id),
  );

  app.patch<{ Params: TokenParams; Body: UpdateTokenBody }>(
    "/Accounts/:AccountSid/tokens/:token_id",
    {
      schema: {
        summary: "Update an API token's name or permissions",
        tags: TAGS,
        security: SECURITY,
        params: TokenParams,
        body: UpdateTokenBodySchema,
        response: { 200: TokenSchema, ...errorResponses },
      },
    },
    async (request) => tokens.update(scope(request), request.params.token_id, request.body ?? {}),
  );

  app.delete<{ Params: TokenParams }>(
    "/Accounts/:AccountSid/tokens/:token_id",
    {
      schema: {
        summary: "Delete an API token",
        tags: TAGS,
        security: SECURITY,
        params: TokenParams,
        response: { 204: { type: "null", description: "Deleted." }, ...errorResponses },
      },
    },
    async (request, reply) => {
      await tokens.delete(scope(request), request.params.token_id);
      return reply.code(204).send();
    },
  );
}

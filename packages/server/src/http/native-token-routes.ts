import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { decodePageToken } from "../domain/page-cursor.js";
import type { TokenService } from "../domain/token-service.js";
import { nativeListEnvelope } from "./list-envelopes.js";
import { principalOf } from "./management-auth.js";
import {
  BASIC_AUTH,
  type CreateTokenBody,
  CreateTokenBodySchema,
  DEFAULT_PAGE_SIZE,
  errorResponses,
  NativeErrorSchema,
  NativePageQuery,
  NativeTokenListSchema,
  NativeValidationErrorSchema,
  TokenParams,
  TokenSchema,
  type UpdateTokenBody,
  UpdateTokenBodySchema,
} from "./schemas.js";
import { NATIVE_PREFIX } from "./surface-prefixes.js";

const TAGS = ["Project Tokens"];
const ERROR_RESPONSES = errorResponses(NativeErrorSchema, NativeValidationErrorSchema);
const NativeTokenParams = Type.Pick(TokenParams, ["token_id"]);
type NativeTokenParams = { token_id: string };

export function registerNativeTokenRoutes(
  app: FastifyInstance,
  { tokens }: { tokens: TokenService },
) {
  app.post<{ Body: CreateTokenBody }>(
    "/tokens",
    {
      schema: {
        summary: "Create an API token",
        tags: TAGS,
        security: BASIC_AUTH,
        body: CreateTokenBodySchema,
        response: { 200: TokenSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { name, permissions, subproject_id } = request.body;
      return tokens.create(principalOf(request).projectId, {
        name,
        permissions,
        ...(subproject_id !== undefined && { subprojectId: subproject_id }),
      });
    },
  );

  app.get<{ Querystring: NativePageQuery }>(
    "/tokens",
    {
      schema: {
        summary: "List API tokens (without their secrets)",
        tags: TAGS,
        security: BASIC_AUTH,
        querystring: NativePageQuery,
        response: { 200: NativeTokenListSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { page_token, page_size = DEFAULT_PAGE_SIZE } = request.query;
      const cursor = page_token === undefined ? undefined : decodePageToken(page_token);
      const page = await tokens.list(principalOf(request).projectId, page_size, cursor);
      return nativeListEnvelope(`${NATIVE_PREFIX}/tokens`, page, page_size, page_token);
    },
  );

  app.get<{ Params: NativeTokenParams }>(
    "/tokens/:token_id",
    {
      schema: {
        summary: "Fetch an API token, with its secret",
        tags: TAGS,
        security: BASIC_AUTH,
        params: NativeTokenParams,
        response: { 200: TokenSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => tokens.get(principalOf(request).projectId, request.params.token_id),
  );

  app.patch<{ Params: NativeTokenParams; Body: UpdateTokenBody }>(
    "/tokens/:token_id",
    {
      schema: {
        summary: "Update an API token's name or permissions",
        tags: TAGS,
        security: BASIC_AUTH,
        params: NativeTokenParams,
        body: UpdateTokenBodySchema,
        response: { 200: TokenSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      tokens.update(principalOf(request).projectId, request.params.token_id, request.body),
  );

  app.delete<{ Params: NativeTokenParams }>(
    "/tokens/:token_id",
    {
      schema: {
        summary: "Delete an API token",
        tags: TAGS,
        security: BASIC_AUTH,
        params: NativeTokenParams,
        response: { 204: { type: "null", description: "Deleted." }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await tokens.delete(principalOf(request).projectId, request.params.token_id);
      return reply.code(204).send();
    },
  );
}

import { type TObject, type TSchema, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { whenReady } from "../domain/maybe-async.js";
import type { ProjectService } from "../domain/project-service.js";
import type { TokenChanges } from "../domain/token-fields.js";
import type { NewToken, TokenService } from "../domain/token-service.js";
import type { ListStyle } from "./list-envelopes.js";
import {
  actorOf,
  type confirmedWrite,
  confirmsCredential,
  principalOf,
} from "./management-auth.js";
import { NO_CONTENT, routeDocs } from "./route-docs.js";
import {
  type CreateTokenBody,
  CreateTokenBodySchema,
  TokenIdParams,
  TokenSchema,
  type UpdateTokenBody,
  UpdateTokenBodySchema,
} from "./schemas.js";
import type { TokenCollection } from "./surface.js";

export const JSON_BODY = "application/json; charset=utf-8";

/** A token's route, after its collection's. */
export const TOKEN_ID_SEGMENT = "/:token_id";

/** What differs between the surfaces that serve the Tokens API; everything else is shared. */
interface TokenRoutesOptions {
  readonly tokens: TokenService;
  /** Makes a write whose credential the write itself confirms (see confirmedWrite). */
  readonly confirmedWrite: ReturnType<typeof confirmedWrite>;
  readonly projects: ProjectService;
  /** The collection's route inside the surface, and the project a request on it acts on. */
  readonly collection: TokenCollection;
  /** The collection route's own path parameters (none on the native surface). */
  readonly collectionParams: TObject;
  /** Where a project's collection lives, for the URIs a list answers with. */
  readonly collectionPath: (request: FastifyRequest, projectId: string) => string;
  readonly list: ListStyle;
  /** The surface's error bodies, for the OpenAPI document. */
  readonly errorResponses: Readonly<Record<number, TSchema>>;
  readonly tags: readonly string[];
}

/** A create body as the domain takes it. */
export function newToken({ name, permissions, subproject_id }: CreateTokenBody): NewToken {
  return { name, permissions, ...(subproject_id !== undefined && { subprojectId: subproject_id }) };
}

/** An update body as the domain takes it. */
function tokenChanges({ name, permissions }: UpdateTokenBody): TokenChanges {
  return {
    ...(name !== undefined && { name }),
    ...(permissions !== undefined && { permissions }),
  };
}

/**
 * The Tokens API's five routes, registered once per surface: create, list, get, update and
 * delete, with the surface's way of naming the project and of enveloping a list.
 */
export async function tokenRoutes(app: FastifyInstance, options: TokenRoutesOptions) {
  const { tokens, collectionParams, list } = options;
  const collection = options.collection.path;
  const resolveProject = (request: FastifyRequest) =>
    options.collection.projectOf(
      options.projects,
      principalOf(request),
      (request.params as { AccountSid?: string }).AccountSid,
    );
  const params = Type.Composite([collectionParams, TokenIdParams]);
  const doc = routeDocs(options.tags, options.errorResponses);
  const item = `${collection}${TOKEN_ID_SEGMENT}`;
  // A page the service gives again while its list is unchanged (TokenListCache) is the same
  // object: its envelope, made of the page and the request's URL alone, is serialized once.
  const renderedPages = new WeakMap<
    object,
    { readonly url: string; readonly body: ReturnType<FastifyReply["serialize"]> }
  >();
  const target = async (request: FastifyRequest<{ Params: TokenIdParams }>) =>
    [await resolveProject(request), request.params.token_id] as const;

  app.post<{ Body: CreateTokenBody }>(
    collection,
    confirmsCredential(
      doc("create_token", "Create an API token", {
        params: collectionParams,
        body: CreateTokenBodySchema,
        response: { 200: TokenSchema },
      }),
    ),
    (request) =>
      options.confirmedWrite(request, () =>
        whenReady(resolveProject(request), (projectId) =>
          tokens.create(projectId, newToken(request.body), { actor: actorOf(request) }),
        ),
      ),
  );

  app.get(
    collection,
    doc("list_tokens", "List API tokens (without their secrets)", {
      params: collectionParams,
      querystring: list.query,
      response: { 200: list.response },
    }),
    async (request, reply) => {
      const projectId = await resolveProject(request);
      const page = list.read(request.query as Record<string, unknown>);
      const found = await tokens.list(projectId, page);
      const held = renderedPages.get(found);
      if (held?.url === request.url) return reply.type(JSON_BODY).send(held.body);
      const envelope = list.render(options.collectionPath(request, projectId), found, page);
      const body = reply.serialize(envelope);
      renderedPages.set(found, { url: request.url, body });
      return reply.type(JSON_BODY).send(body);
    },
  );

  app.get<{ Params: TokenIdParams }>(
    item,
    doc("get_token", "Fetch an API token, with its secret", {
      params,
      response: { 200: TokenSchema },
    }),
    // The hot read: a cached token is answered without a promise.
    (request) =>
      whenReady(resolveProject(request), (projectId) =>
        tokens.get(projectId, request.params.token_id),
      ),
  );

  app.patch<{ Params: TokenIdParams; Body: UpdateTokenBody }>(
    item,
    confirmsCredential(
      doc("update_token", "Update an API token's name or permissions", {
        params,
        body: UpdateTokenBodySchema,
        response: { 200: TokenSchema },
      }),
    ),
    (request) =>
      options.confirmedWrite(request, async () =>
        tokens.update(...(await target(request)), tokenChanges(request.body), actorOf(request)),
      ),
  );

  app.delete<{ Params: TokenIdParams }>(
    item,
    confirmsCredential(
      doc("delete_token", "Delete an API token", { params, response: NO_CONTENT }),
    ),
    async (request, reply) => {
      await options.confirmedWrite(request, async () =>
        tokens.delete(...(await target(request)), actorOf(request)),
      );
      return reply.code(204).send();
    },
  );
}

import type { FastifyInstance } from "fastify";
import { decodePageToken } from "../domain/page-cursor.js";
import type { ProjectService } from "../domain/project-service.js";
import { toCompatAccount } from "./compat-account.js";
import { compatListEnvelope } from "./list-envelopes.js";
import { principalOf } from "./management-auth.js";
import {
  type AccountNameBody,
  AccountNameBodySchema,
  AccountParams,
  AccountSchema,
  BASIC_AUTH,
  CompatAccountListQuery,
  CompatAccountListSchema,
  CompatErrorSchema,
  DEFAULT_PAGE_SIZE,
  errorResponses,
} from "./schemas.js";
import { COMPAT_PREFIX } from "./surface-prefixes.js";

const TAGS = ["Compatibility: Accounts"];
const ERROR_RESPONSES = errorResponses(CompatErrorSchema, CompatErrorSchema);
/** Account validation failures use the `{code: 20002, ...}` shape, not the token one. */
const config = { validationShape: "account" as const };

export function registerCompatAccountRoutes(
  app: FastifyInstance,
  { projects }: { projects: ProjectService },
) {
  app.get<{ Querystring: CompatAccountListQuery }>(
    "/Accounts",
    {
      config,
      schema: {
        summary: "List the project you authenticate as and its subprojects",
        tags: TAGS,
        security: BASIC_AUTH,
        querystring: CompatAccountListQuery,
        response: { 200: CompatAccountListSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { PageToken, PageSize = DEFAULT_PAGE_SIZE, FriendlyName } = request.query;
      const cursor = PageToken === undefined ? undefined : decodePageToken(PageToken);
      const page = await projects.listFamily(principalOf(request), PageSize, cursor, FriendlyName);
      const accounts = { ...page, items: page.items.map(toCompatAccount) };
      return compatListEnvelope(
        `${COMPAT_PREFIX}/Accounts`,
        "accounts",
        accounts,
        PageSize,
        PageToken,
        {
          FriendlyName,
        },
      );
    },
  );

  app.post<{ Body: AccountNameBody }>(
    "/Accounts",
    {
      config,
      schema: {
        summary: "Create a subproject of the project you authenticate as",
        tags: TAGS,
        security: BASIC_AUTH,
        body: AccountNameBodySchema,
        response: { 201: AccountSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const subproject = await projects.createSubproject(
        principalOf(request).projectId,
        request.body.FriendlyName,
      );
      return reply.code(201).send(toCompatAccount(subproject));
    },
  );

  app.get<{ Params: AccountParams }>(
    "/Accounts/:Sid",
    {
      config,
      schema: {
        summary: "Fetch a project or one of its subprojects",
        tags: TAGS,
        security: BASIC_AUTH,
        params: AccountParams,
        response: { 200: AccountSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      toCompatAccount(await projects.get(principalOf(request), request.params.Sid)),
  );

  app.post<{ Params: AccountParams; Body: AccountNameBody }>(
    "/Accounts/:Sid",
    {
      config,
      schema: {
        summary: "Rename a project or one of its subprojects",
        tags: TAGS,
        security: BASIC_AUTH,
        params: AccountParams,
        body: AccountNameBodySchema,
        response: { 200: AccountSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      toCompatAccount(
        await projects.rename(principalOf(request), request.params.Sid, request.body.FriendlyName),
      ),
  );
}

import type { FastifyInstance } from "fastify";
import type { ProjectService } from "../domain/project-service.js";
import { toCompatAccount } from "./compat-account.js";
import { COMPAT_ACCOUNT_LIST } from "./list-envelopes.js";
import { actorOf, principalOf } from "./management-auth.js";
import {
  type AccountNameBody,
  AccountNameBodySchema,
  AccountParams,
  AccountSchema,
  BASIC_AUTH,
  CompatErrorSchema,
  errorResponses,
} from "./schemas.js";

const common = { tags: ["Compatibility: Accounts"], security: BASIC_AUTH };
const ERROR_RESPONSES = errorResponses(CompatErrorSchema, CompatErrorSchema);
/** Account validation failures use the `{code: 20002, ...}` shape, not the token one. */
const config = { validationShape: "account" as const };

/** The Accounts routes: the project you authenticate as and its subprojects. */
export async function compatAccountRoutes(
  app: FastifyInstance,
  { projects }: { projects: ProjectService },
) {
  const accounts = `${app.prefix}/Accounts`;

  app.get(
    "/Accounts",
    {
      config: { ...config, operation: "list_accounts" },
      schema: {
        ...common,
        summary: "List the project you authenticate as and its subprojects",
        querystring: COMPAT_ACCOUNT_LIST.query,
        response: { 200: COMPAT_ACCOUNT_LIST.response, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const page = COMPAT_ACCOUNT_LIST.read(request.query as Record<string, unknown>);
      const found = await projects.listFamily(
        principalOf(request),
        page,
        page.filters.FriendlyName,
      );
      const items = found.items.map((project) => toCompatAccount(project, app.prefix));
      return COMPAT_ACCOUNT_LIST.render(accounts, { ...found, items }, page);
    },
  );

  app.post<{ Body: AccountNameBody }>(
    "/Accounts",
    {
      config: { ...config, operation: "create_subprojects" },
      schema: {
        ...common,
        summary: "Create a subproject of the project you authenticate as",
        body: AccountNameBodySchema,
        response: { 201: AccountSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { project, signingKey } = await projects.createSubproject(
        principalOf(request).projectId,
        request.body.FriendlyName,
        actorOf(request),
      );
      return reply.code(201).send(toCompatAccount(project, app.prefix, signingKey));
    },
  );

  app.get<{ Params: AccountParams }>(
    "/Accounts/:Sid",
    {
      config: { ...config, operation: "get_account" },
      schema: {
        ...common,
        summary: "Fetch a project or one of its subprojects",
        params: AccountParams,
        response: { 200: AccountSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      toCompatAccount(await projects.get(principalOf(request), request.params.Sid), app.prefix),
  );

  app.post<{ Params: AccountParams; Body: AccountNameBody }>(
    "/Accounts/:Sid",
    {
      config: { ...config, operation: "update_account" },
      schema: {
        ...common,
        summary: "Rename a project or one of its subprojects",
        params: AccountParams,
        body: AccountNameBodySchema,
        response: { 200: AccountSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      toCompatAccount(
        await projects.rename(
          principalOf(request),
          request.params.Sid,
          request.body.FriendlyName,
          actorOf(request),
        ),
        app.prefix,
      ),
  );
}

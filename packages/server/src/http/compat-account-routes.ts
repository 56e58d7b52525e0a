import type { TSchema } from "@sinclair/typebox";
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

const ERROR_RESPONSES = errorResponses(CompatErrorSchema, CompatErrorSchema);

/**
 * An Accounts route's options: its operation, its OpenAPI entry, and the `{code: 20002, ...}`
 * shape account validation failures take (not the token one).
 */
function accountRoute(
  operation: string,
  summary: string,
  { response, ...parts }: { response: Record<number, TSchema>; [part: string]: unknown },
) {
  return {
    config: { validationShape: "account" as const, operation },
    schema: {
      tags: ["Compatibility: Accounts"],
      security: BASIC_AUTH,
      summary,
      ...parts,
      response: { ...response, ...ERROR_RESPONSES },
    },
  };
}

/** The Accounts routes: the project you authenticate as and its subprojects. */
export async function compatAccountRoutes(
  app: FastifyInstance,
  { projects }: { projects: ProjectService },
) {
  const accounts = `${app.prefix}/Accounts`;

  app.route({
    method: "GET",
    url: "/Accounts",
    ...accountRoute("list_accounts", "List the project you authenticate as and its subprojects", {
      querystring: COMPAT_ACCOUNT_LIST.query,
      response: { 200: COMPAT_ACCOUNT_LIST.response },
    }),
    handler: async (request) => {
      const page = COMPAT_ACCOUNT_LIST.read(request.query as Record<string, unknown>);
      const found = await projects.listFamily(
        principalOf(request),
        page,
        page.filters.FriendlyName,
      );
      const items = found.items.map((project) => toCompatAccount(project, app.prefix));
      return COMPAT_ACCOUNT_LIST.render(accounts, { ...found, items }, page);
    },
  });

  app.route<{ Body: AccountNameBody }>({
    method: "POST",
    url: "/Accounts",
    ...accountRoute(
      "create_subprojects",
      "Create a subproject of the project you authenticate as",
      {
        body: AccountNameBodySchema,
        response: { 201: AccountSchema },
      },
    ),
    handler: async (request, reply) => {
      const { FriendlyName } = request.body;
      const owner = principalOf(request).projectId;
      const created = await projects.createSubproject(owner, FriendlyName, actorOf(request));
      return reply.code(201).send(toCompatAccount(created.project, app.prefix, created.signingKey));
    },
  });

  app.route<{ Params: AccountParams }>({
    method: "GET",
    url: "/Accounts/:Sid",
    ...accountRoute("get_account", "Fetch a project or one of its subprojects", {
      params: AccountParams,
      response: { 200: AccountSchema },
    }),
    handler: async (request) =>
      toCompatAccount(await projects.get(principalOf(request), request.params.Sid), app.prefix),
  });

  app.route<{ Params: AccountParams; Body: AccountNameBody }>({
    method: "POST",
    url: "/Accounts/:Sid",
    ...accountRoute("update_account", "Rename a project or one of its subprojects", {
      params: AccountParams,
      body: AccountNameBodySchema,
      response: { 200: AccountSchema },
    }),
    handler: async (request) =>
      toCompatAccount(
        await projects.rename(
          principalOf(request),
          request.params.Sid,
          request.body.FriendlyName,
          actorOf(request),
        ),
        app.prefix,
      ),
  });
}

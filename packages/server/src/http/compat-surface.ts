import { compatAccountRoutes } from "./compat-account-routes.js";
import { renderCompatFailure } from "./failure/compat-failure.js";
import { COMPAT_TOKEN_LIST } from "./list-envelopes.js";
import { confirmedWrite } from "./management-auth.js";
import {
  AccountSidParams,
  CompatErrorSchema,
  CompatValidationErrorSchema,
  errorResponses,
} from "./schemas.js";
import type { Surface, TokenCollection } from "./surface.js";
import { tokenRoutes } from "./token-routes.js";

/** The project is named in the path: the caller's own or one of its subprojects. */
const COMPAT_TOKENS: TokenCollection = {
  path: "/Accounts/:AccountSid/tokens",
  projectOf: (projects, principal, accountSid) => projects.scopeFor(principal, accountSid ?? ""),
};

/**
 * The Compatibility (LaML) surface, under `/api/laml/2010-04-01` as SignalWire documents it and
 * under `/2010-04-01` where SignalWire's Node client (`@signalwire/compatibility-api`) calls it;
 * every URI it answers with uses the prefix the request came in on. The project is named in the path (`AccountSid`, the caller's
 * project or one of its subprojects), lists take `PageSize`/`PageToken`, and errors take
 * SignalWire's compatibility shapes (accounts and tokens differ in their validation shape).
 */
export const COMPAT_SURFACE: Surface = {
  prefixes: ["/api/laml/2010-04-01", "/2010-04-01"],
  acceptsJsonSuffix: true,
  title: "the Compatibility API",
  specName: "compatibility",
  renderFailure: (failed, request) =>
    renderCompatFailure(failed, request?.routeOptions.config.validationShape ?? "token"),
  tokens: COMPAT_TOKENS,
  async registerRoutes(app, services) {
    await app.register(tokenRoutes, {
      tokens: services.tokens,
      projects: services.projects,
      confirmedWrite: confirmedWrite(services.authenticator, services.budgets),
      collection: COMPAT_TOKENS,
      collectionParams: AccountSidParams,
      collectionPath: (_request, projectId) => `${app.prefix}/Accounts/${projectId}/tokens`,
      list: COMPAT_TOKEN_LIST,
      errorResponses: errorResponses(CompatErrorSchema, CompatValidationErrorSchema),
      tags: ["Compatibility: Tokens"],
    });
    await app.register(compatAccountRoutes, { projects: services.projects });
  },
};

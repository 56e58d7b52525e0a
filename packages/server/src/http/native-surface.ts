import { renderNativeFailure } from "./failure/native-failure.js";
import { NATIVE_TOKEN_LIST } from "./list-envelopes.js";
import { confirmedWrite } from "./management-auth.js";
import {
  errorResponses,
  NativeErrorSchema,
  NativeValidationErrorSchema,
  NoParams,
} from "./schemas.js";
import type { Surface, TokenCollection } from "./surface.js";
import { tokenRoutes } from "./token-routes.js";

/** The project is the one the credentials belong to. */
const NATIVE_TOKENS: TokenCollection = {
  path: "/tokens",
  projectOf: (_projects, principal) => principal.projectId,
};

/**
 * SignalWire's native REST surface for tokens: the project is the one the credentials belong
 * to, lists take `page_size`/`page_token`, and errors take the native shapes.
 */
export const NATIVE_SURFACE: Surface = {
  prefixes: ["/api/project"],
  acceptsJsonSuffix: false,
  title: "the project API",
  specName: "project",
  renderFailure: renderNativeFailure,
  tokens: NATIVE_TOKENS,
  async registerRoutes(app, services) {
    await app.register(tokenRoutes, {
      tokens: services.tokens,
      projects: services.projects,
      confirmedWrite: confirmedWrite(services.authenticator, services.budgets),
      collection: NATIVE_TOKENS,
      collectionParams: NoParams,
      collectionPath: () => `${app.prefix}/tokens`,
      list: NATIVE_TOKEN_LIST,
      errorResponses: errorResponses(NativeErrorSchema, NativeValidationErrorSchema),
      tags: ["Project Tokens"],
    });
  },
};

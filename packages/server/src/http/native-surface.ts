import { renderNativeFailure } from "./failure/native-failure.js";
import { NATIVE_TOKEN_LIST } from "./list-envelopes.js";
import { confirmedWrite, principalOf } from "./management-auth.js";
import {
  errorResponses,
  NativeErrorSchema,
  NativeValidationErrorSchema,
  NoParams,
} from "./schemas.js";
import type { Surface } from "./surface.js";
import { tokenRoutes } from "./token-routes.js";

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
  async registerRoutes(app, services) {
    await app.register(tokenRoutes, {
      tokens: services.tokens,
      confirmedWrite: confirmedWrite(services.authenticator, services.budgets),
      collection: "/tokens",
      collectionParams: NoParams,
      resolveProject: (request) => principalOf(request).projectId,
      collectionPath: () => `${app.prefix}/tokens`,
      list: NATIVE_TOKEN_LIST,
      errorResponses: errorResponses(NativeErrorSchema, NativeValidationErrorSchema),
      tags: ["Project Tokens"],
    });
  },
};

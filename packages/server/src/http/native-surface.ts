import type { FastifyInstance } from "fastify";
import type { SurfaceOptions } from "./compat-surface.js";
import { failure } from "./failure.js";
import { requireManagement } from "./management-auth.js";
import { renderNativeFailure } from "./native-errors.js";
import { registerNativeTokenRoutes } from "./native-token-routes.js";
import { failureHandler, sendFailure } from "./reply-failure.js";

/**
 * SignalWire's native REST surface for tokens: the project is the one the credentials belong
 * to, and errors take the native shapes.
 */
export async function nativeSurface(app: FastifyInstance, options: SurfaceOptions) {
  app.addHook("onRequest", requireManagement(options.authenticator));
  app.setErrorHandler(failureHandler(renderNativeFailure));
  app.setNotFoundHandler((request, reply) => {
    const notFound = failure("not_found", `There is no ${request.method} ${request.url}.`);
    sendFailure(reply, notFound, renderNativeFailure(notFound));
  });
  registerNativeTokenRoutes(app, options);
}

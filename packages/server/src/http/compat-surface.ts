import type { FastifyInstance } from "fastify";
import type { Authenticator } from "../domain/authenticator.js";
import type { ProjectService } from "../domain/project-service.js";
import type { TokenService } from "../domain/token-service.js";
import { registerCompatAccountRoutes } from "./compat-account-routes.js";
import { renderCompatFailure } from "./compat-errors.js";
import { registerCompatTokenRoutes } from "./compat-token-routes.js";
import { failure } from "./failure.js";
import { requireManagement } from "./management-auth.js";
import { failureHandler, sendFailure } from "./reply-failure.js";

export interface SurfaceOptions {
  readonly authenticator: Authenticator;
  readonly tokens: TokenService;
  readonly projects: ProjectService;
}

/**
 * The Compatibility (LaML) surface: HTTP Basic and the `management` permission on every
 * request, and SignalWire's compatibility error shapes.
 */
export async function compatSurface(app: FastifyInstance, options: SurfaceOptions) {
  app.addHook("onRequest", requireManagement(options.authenticator));
  app.setErrorHandler(
    failureHandler((failed, request) =>
      renderCompatFailure(failed, request.routeOptions.config.validationShape ?? "token"),
    ),
  );
  app.setNotFoundHandler((request, reply) => {
    const notFound = failure(
      "not_found",
      `There is no ${request.method} ${request.url.split("?")[0]} in the Compatibility API.`,
    );
    sendFailure(reply, notFound, renderCompatFailure(notFound, "token"));
  });
  registerCompatTokenRoutes(app, options);
  registerCompatAccountRoutes(app, options);
}

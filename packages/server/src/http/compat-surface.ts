import type { FastifyInstance } from "fastify";
import type { Authenticator } from "../domain/authenticator.js";
import { requirePermission } from "../domain/principal.js";
import type { ProjectService } from "../domain/project-service.js";
import type { TokenService } from "../domain/token-service.js";
import { parseBasicCredentials } from "./basic-credentials.js";
import { renderCompatFailure } from "./compat-errors.js";
import { registerCompatTokenRoutes } from "./compat-token-routes.js";
import { failure } from "./failure.js";
import { failureHandler, sendFailure } from "./reply-failure.js";

export const COMPAT_PREFIX = "/api/laml/2010-04-01";

export interface CompatSurfaceOptions {
  readonly authenticator: Authenticator;
  readonly tokens: TokenService;
  readonly projects: ProjectService;
}

/**
 * The Compatibility (LaML) surface: HTTP Basic on every request, the `management` permission
 * for every operation, and SignalWire's compatibility error shapes.
 */
export async function compatSurface(app: FastifyInstance, options: CompatSurfaceOptions) {
  app.addHook("onRequest", async (request) => {
    const credentials = parseBasicCredentials(request.headers.authorization);
    const principal = await options.authenticator.authenticate(
      credentials.username,
      credentials.password,
    );
    requirePermission(principal, "management");
    request.principal = principal;
  });

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
}

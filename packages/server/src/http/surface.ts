import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";
import type { AuditLog } from "../domain/audit-log.js";
import type { Authenticator } from "../domain/authenticator.js";
import type { MaybeAsync } from "../domain/maybe-async.js";
import type { Principal } from "../domain/principal.js";
import type { ProjectService } from "../domain/project-service.js";
import type { TokenService } from "../domain/token-service.js";
import type { UsageReports } from "../domain/usage-report.js";
import { type RequestBudgets, spend } from "./budget-charges.js";
import {
  type FailureRenderer,
  failureHandler,
  notFoundHandler,
} from "./failure/failure-handler.js";
import { principalOf, requireManagement } from "./management-auth.js";

/** The domain services an API surface's routes run on. */
export interface ApiServices {
  readonly authenticator: Authenticator;
  readonly tokens: TokenService;
  readonly projects: ProjectService;
  readonly budgets: RequestBudgets;
  readonly audit: AuditLog;
  readonly reports: UsageReports;
}

/** Where a surface serves the Tokens API, and which project a request there acts on. */
export interface TokenCollection {
  /** The collection's route inside the surface; `:AccountSid`, if there, names the project. */
  readonly path: string;
  /** The project a request acts on, from its principal and the path's `AccountSid`, if any. */
  projectOf(
    projects: ProjectService,
    principal: Principal,
    accountSid: string | undefined,
  ): MaybeAsync<string>;
}

/** One API surface: where it lives, what it is called, its error bodies and its routes. */
export interface Surface {
  /** Every prefix the surface is served under, each with the same routes. */
  readonly prefixes: readonly string[];
  /** Whether paths may end in `.json`, as Twilio-style clients send them. */
  readonly acceptsJsonSuffix: boolean;
  /** How messages name it: "the Compatibility API". */
  readonly title: string;
  /** Its spec's name in endpoint ids (`compatibility.create_token`): SignalWire's spec directory. */
  readonly specName: string;
  readonly renderFailure: FailureRenderer;
  /** Its Tokens API collection, on the surfaces that serve SignalWire's. */
  readonly tokens?: TokenCollection;
  registerRoutes(app: FastifyInstance, services: ApiServices): Promise<void>;
}

/** Whether a request URL is at or under a prefix. */
export function isUnder(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false;
  const next = url[prefix.length];
  return next === undefined || next === "/" || next === "?";
}

/**
 * An API surface as a Fastify plugin, registered once under each of its prefixes: HTTP Basic
 * credentials with the `management` permission on every request (checked before the body is
 * read, so an unauthenticated request is refused whatever it carries), and every failure,
 * unknown routes included, in the surface's shape.
 */
export async function surfacePlugin(
  app: FastifyInstance,
  {
    surface,
    services,
    earlyPrincipal,
  }: {
    surface: Surface;
    services: ApiServices;
    /** The principal a request's credentials were accepted as before the framework took it. */
    earlyPrincipal: (request: IncomingMessage) => Principal | undefined;
  },
) {
  app.addHook(
    "onRequest",
    requireManagement(services.authenticator, services.budgets, earlyPrincipal),
  );
  if (services.budgets.projectRequests) {
    app.addHook("preHandler", (request) =>
      spend(
        services.budgets.projectRequests,
        [`requests:project:${principalOf(request).projectId}`],
        request,
      ),
    );
  }
  app.setErrorHandler(failureHandler(surface.renderFailure));
  app.setNotFoundHandler(notFoundHandler(surface.renderFailure, ` in ${surface.title}`));
  await surface.registerRoutes(app, services);
}

import { randomUUID } from "node:crypto";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";

import type { Authenticator } from "../domain/authenticator.js";
import type { Principal } from "../domain/principal.js";
import type { ProjectService } from "../domain/project-service.js";
import type { TokenService } from "../domain/token-service.js";
import type { Store } from "../store/store.js";
import { BODY_LIMIT_BYTES, registerBodyParsers } from "./body-parsers.js";
import { renderCompatFailure } from "./compat-errors.js";
import { compatSurface } from "./compat-surface.js";
import { type Failure, failure, toFailure } from "./failure.js";
import { renderNativeFailure } from "./native-errors.js";
import { nativeSurface } from "./native-surface.js";
import { registerRateLimit } from "./rate-limit.js";
import { failureHandler, sendFailure } from "./reply-failure.js";
import { RequestLog } from "./request-log.js";
import { HealthSchema } from "./schemas.js";
import { COMPAT_PREFIX, NATIVE_PREFIX } from "./surface-prefixes.js";
import { createValidatorCompiler } from "./validator-compiler.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by a surface's authentication hook before any handler runs. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Which compatibility shape a validation failure takes on this route. */
    validationShape?: "token" | "account";
  }
}

export interface AppServices {
  /** API requests a minute per project; 0 turns rate limiting off. */
  readonly rateLimitPerMinute: number;
  readonly store: Store;
  readonly authenticator: Authenticator;
  readonly tokens: TokenService;
  readonly projects: ProjectService;
  readonly logger: FastifyBaseLogger;
}

const REQUEST_ID_HEADER = "x-request-id";
const ACCEPTED_REQUEST_ID = /^[\w.:-]{1,128}$/;
const JSON_SUFFIX = /\.json(?=\?|$)/;

const renderPlain = (failed: { message: string }) => ({ error: failed.message });

function renderForPath(url: string): (failed: Failure) => object {
  if (url.startsWith(COMPAT_PREFIX)) return (failed) => renderCompatFailure(failed, "token");
  if (url.startsWith(NATIVE_PREFIX)) return renderNativeFailure;
  return renderPlain;
}

export async function buildApp(services: AppServices): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: services.logger,
    logController: new RequestLog(),
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (request) => {
      const offered = request.headers[REQUEST_ID_HEADER];
      return typeof offered === "string" && ACCEPTED_REQUEST_ID.test(offered)
        ? offered
        : randomUUID();
    },
    // Twilio-style clients append `.json` to compatibility paths.
    rewriteUrl: (request) => {
      const url = request.url ?? "/";
      return url.startsWith(COMPAT_PREFIX) ? url.replace(JSON_SUFFIX, "") : url;
    },
    routerOptions: { ignoreTrailingSlash: true },
    // Errors found before routing (a malformed URL) still get the shape of the surface addressed.
    frameworkErrors: (error, request, reply) => {
      const failed = toFailure(error, request);
      sendFailure(reply, failed, renderForPath(request.url)(failed));
    },
  });
  app.setValidatorCompiler(createValidatorCompiler());
  app.decorateRequest("principal", null);
  registerBodyParsers(app);

  // Synchronous hooks: they run on every request and need no promise.
  app.addHook("onRequest", (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  app.addHook("preValidation", (request, _reply, done) => {
    if (request.body === undefined && request.routeOptions.schema?.body) request.body = {};
    done();
  });

  app.setErrorHandler(failureHandler(renderPlain));
  app.setNotFoundHandler((request, reply) => {
    const notFound = failure(
      "not_found",
      `There is no ${request.method} ${request.url.split("?")[0]}.`,
    );
    sendFailure(reply, notFound, renderPlain(notFound));
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Tokenspace",
        description: "A self-hosted, SignalWire-compatible API token service.",
        version: "0.1.0",
      },
      components: {
        securitySchemes: {
          basicAuth: {
            type: "http",
            scheme: "basic",
            description: "Project id as the username, API token as the password.",
          },
        },
      },
    },
  });

  app.get("/healthz", { schema: { hide: true, response: { 200: HealthSchema } } }, async () => ({
    status: "ok",
  }));
  app.get(
    "/readyz",
    { schema: { hide: true, response: { 200: HealthSchema, 503: HealthSchema } } },
    async (_request, reply) => {
      try {
        await services.store.ping();
        return { status: "ready" };
      } catch {
        return reply.code(503).header("retry-after", "1").send({ status: "not ready" });
      }
    },
  );
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  await registerRateLimit(app, services.rateLimitPerMinute);
  await app.register(compatSurface, { prefix: COMPAT_PREFIX, ...services });
  await app.register(nativeSurface, { prefix: NATIVE_PREFIX, ...services });
  return app;
}

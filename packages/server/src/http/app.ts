import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { Readable } from "node:stream";
import swagger from "@fastify/swagger";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type preValidationHookHandler,
} from "fastify";
import type { Clock } from "../domain/clock.js";
import type { FixtureRestorer } from "../domain/fixtures.js";
import { HARNESS_ID } from "../domain/harness-secret.js";
import type { Principal } from "../domain/principal.js";
import type { Store } from "../domain/store.js";
import type { TokenLimiter } from "../domain/token-limiter.js";
import type { UsageRecorder } from "../domain/usage-recorder.js";
import type { VerifyRules } from "../domain/verify-rules.js";
import type { Metrics } from "../runtime/metrics.js";
import type { RequestLines } from "../runtime/request-lines.js";
import { authRoutes } from "./auth-routes.js";
import { checkBodySize } from "./body-limits.js";
import { BODY_LIMIT_BYTES, registerBodyParsers } from "./body-parsers.js";
import { clientAddressOf, proxyTrust } from "./client-address.js";
import { COMPAT_SURFACE } from "./compat-surface.js";
import { consoleRoutes } from "./console-routes.js";
import { EXTENSION_SURFACE } from "./extension-surface.js";
import type { CompatValidationShape } from "./failure/compat-failure.js";
import { type Failure, toFailure } from "./failure/failure.js";
import { failureHandler, notFoundHandler, sendFailure } from "./failure/failure-handler.js";
import { ParserFailures } from "./failure/parser-failures.js";
import { LazyChildLogger } from "./lazy-child-logger.js";
import { registerMetricsRoute } from "./metrics-route.js";
import { registerMockMode } from "./mock/mock-mode.js";
import { NATIVE_SURFACE } from "./native-surface.js";
import { RequestIds } from "./request-ids.js";
import { RequestLog } from "./request-log.js";
import { HealthSchema } from "./schemas.js";
import { serializerCompiler } from "./serializer-compiler.js";
import { type ApiServices, isUnder, type Surface, surfacePlugin } from "./surface.js";
import { TokenFastPath } from "./token-fast-path.js";
import { TurnEndWrites } from "./turn-end-writes.js";
import { createValidatorCompiler } from "./validator-compiler.js";
import { VerifyFastPath } from "./verify-fast-path.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by a surface's authentication hook before any handler runs. */
    principal: Principal | null;
    /** Set when a body was refused before it was read to its end. */
    bodyLeftUnread: boolean;
    /**
     * Set when the request's credentials failed: within the failed-authentication budget, or
     * over it (then the request line is logged at debug).
     */
    failedAuthentication: "within" | "over" | null;
  }
  interface FastifyContextConfig {
    /** Which compatibility shape a validation failure takes on this route. */
    validationShape?: CompatValidationShape;
    /**
     * The route's operationId in SignalWire's spec (`create_token`), or a name in the same
     * style for the routes SignalWire's spec does not have. With the surface's spec name it
     * makes the endpoint id mock mode's journal and scenarios use.
     */
    operation?: string;
    /**
     * The route's writes confirm their credential in the store themselves (`confirmedWrite`):
     * its credential check may take a cached credential, unconfirmed, instead of asking the
     * store first.
     */
    writeConfirmsCredential?: boolean;
  }
}

interface AppServices extends ApiServices {
  /** Tokens' rate limits and uses, enforced by forward auth and introspection. */
  readonly limiter: TokenLimiter;
  /** Where verifications are counted. */
  readonly usage: UsageRecorder;
  readonly clock: Clock;
  /** Mock mode's state reset. */
  readonly fixtures: FixtureRestorer;
  /** Counted when present; served at /metrics on this port when `metricsHere`. */
  readonly metrics: Metrics | undefined;
  readonly metricsHere: boolean;
  /** What `/auth/verify` requires by forwarded method and path (TOKENSPACE_VERIFY_RULES). */
  readonly verifyRules: VerifyRules | undefined;
  /** Fastify's trustProxy: who may name the client in X-Forwarded-For. */
  readonly trustProxy: boolean | number | string[];
  readonly store: Store;
  readonly logger: FastifyBaseLogger;
  /** Where the one line per request goes (see Loggers.requestLines). */
  readonly requestLines: RequestLines;
  /** The certificate and key to serve HTTPS with; plain HTTP without. */
  readonly https: { readonly cert: string; readonly key: string } | undefined;
  /** Longest wait for a request's headers, and for the whole request. */
  readonly timeouts: { readonly headersMs: number; readonly requestMs: number };
  /**
   * Mock mode (TOKENSPACE_MOCK): SignalWire's test-harness control API under /__mock__, and
   * harness credentials provisioned on first use.
   */
  readonly mock: boolean;
  /** The package's version, which the served OpenAPI document states. */
  readonly version: string;
  /** The built admin console, served at /console; undefined when it is not built. */
  readonly consoleDirectory: string | undefined;
}

/** How often Node looks for requests over their time limits; the limits hold to this much. */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** The API surfaces, each under its own prefix. */
const SURFACES = [COMPAT_SURFACE, NATIVE_SURFACE, EXTENSION_SURFACE];

const REQUEST_ID_HEADER = "x-request-id";
const ACCEPTED_REQUEST_ID = /^[\w.:-]{1,128}$/;
const JSON_SUFFIX = /\.json(?=\?|$)/;

const renderPlain = (failed: Failure) => ({ error: failed.message });

function surfaceAt(url: string): Surface | undefined {
  return SURFACES.find((surface) => surface.prefixes.some((prefix) => isUnder(url, prefix)));
}

/** Failures outside any route (a malformed URL) in the shape of the surface addressed. */
function renderForPath(url: string) {
  return surfaceAt(url)?.renderFailure ?? renderPlain;
}

export async function buildApp(services: AppServices): Promise<FastifyInstance> {
  const serverOptions = {
    headersTimeout: services.timeouts.headersMs,
    requestTimeout: services.timeouts.requestMs,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  };
  const requestIds = new RequestIds();
  const requestIdOf = (headers: IncomingHttpHeaders) => {
    const offered = headers[REQUEST_ID_HEADER];
    return typeof offered === "string" && ACCEPTED_REQUEST_ID.test(offered)
      ? offered
      : requestIds.next();
  };
  const trust = proxyTrust(services.trustProxy);
  const turnEnd = new TurnEndWrites();
  const parserFailures = new ParserFailures((url, failed) => renderForPath(url)(failed));
  // Mock mode journals every request it serves, forward auth's included.
  const fastPath = services.mock
    ? undefined
    : new VerifyFastPath({
        authenticator: services.authenticator,
        rules: services.verifyRules,
        metrics: services.metrics,
        limiter: services.limiter,
        usage: services.usage,
        clock: services.clock,
        requestIdOf,
        clientAddressOf: (request) => clientAddressOf(request, trust),
        turnEnd,
        logsAllowedVerifications: () => services.requestLines.writes("debug"),
      });
  // A project request budget is spent in the framework's hooks.
  const tokenPath =
    services.mock || services.budgets.projectRequests
      ? undefined
      : new TokenFastPath({
          authenticator: services.authenticator,
          tokens: services.tokens,
          projects: services.projects,
          surfaces: SURFACES,
          requestIdOf,
          clientAddressOf: (request) => clientAddressOf(request, trust),
          turnEnd,
          requestLines: services.requestLines,
          metrics: services.metrics,
          parserFailures,
        });
  const app = Fastify({
    serverFactory: (fastifyHandler, options) => {
      const handle = (request: IncomingMessage, response: ServerResponse) => {
        if (fastPath?.answer(request, response)) return;
        if (!tokenPath?.answer(request, response, fastifyHandler))
          fastifyHandler(request, response);
      };
      const server = services.https
        ? createHttpsServer({ ...services.https, ...serverOptions }, handle)
        : createHttpServer(serverOptions, handle);
      // What Fastify sets on the servers it makes itself.
      server.keepAliveTimeout = Number(options.keepAliveTimeout);
      return server;
    },
    clientErrorHandler: parserFailures.handle,
    loggerInstance: LazyChildLogger.over(services.logger),
    trustProxy: trust ?? false,
    logController: new RequestLog(services.requestLines),
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (request) => requestIdOf(request.headers),
    // Twilio-style clients append `.json` to compatibility paths.
    rewriteUrl: (request) => {
      const url = request.url ?? "/";
      if (!url.includes(".json")) return url;
      return surfaceAt(url)?.acceptsJsonSuffix ? url.replace(JSON_SUFFIX, "") : url;
    },
    routerOptions: { ignoreTrailingSlash: true },
    // Errors found before routing (a malformed URL) still get the shape of the surface addressed.
    frameworkErrors: (error, request, reply) => {
      const failed = toFailure(error, request);
      sendFailure(reply, failed, renderForPath(request.url)(failed, request));
    },
  });
  app.setValidatorCompiler(createValidatorCompiler(services.mock ? HARNESS_ID : undefined));
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest("principal", null);
  app.decorateRequest("bodyLeftUnread", false);
  app.decorateRequest("failedAuthentication", null);
  registerBodyParsers(app);

  // Synchronous hooks: they run on every request and need no promise.
  app.addHook("onRequest", (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    parserFailures.started(request.raw.socket, request.url);
    done();
  });
  app.addHook("onResponse", (request, reply, done) => {
    parserFailures.finished(request.raw.socket);
    if (services.metrics) {
      const route = request.routeOptions.url ?? "(no route)";
      services.metrics.countRequest(
        route,
        request.method,
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      if (request.failedAuthentication) {
        services.metrics.authFailures.inc({ budget: request.failedAuthentication });
      }
    }
    done();
  });
  turnEnd.register(app);
  if (tokenPath) {
    // A create the token fast path read the body of, then left to the framework, is parsed
    // from that body.
    app.addHook("preParsing", (request, _reply, payload, done) => {
      const body = tokenPath.takeBody(request.raw);
      done(null, body ? Readable.from([body]) : payload);
    });
  }
  app.addHook("preClose", (done) => {
    fastPath?.close();
    tokenPath?.close();
    done();
  });
  // Bodies are checked on the routes that can be sent one: Fastify parses none for GET or HEAD.
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((method) => method === "GET" || method === "HEAD")) return;
    const expectsBody = route.schema?.body !== undefined;
    const checkBody: preValidationHookHandler = (request, _reply, done) => {
      if (request.body === undefined && expectsBody) request.body = {};
      checkBodySize(request.body);
      done();
    };
    route.preValidation = [checkBody, ...[route.preValidation ?? []].flat()];
  });

  if (services.mock) {
    await registerMockMode(app, {
      projects: services.projects,
      tokens: services.tokens,
      fixtures: services.fixtures,
      specOf: (url) => (isUnder(url, "/auth") ? "auth" : surfaceAt(url)?.specName),
    });
  }

  app.setErrorHandler(failureHandler(renderPlain));
  app.setNotFoundHandler(notFoundHandler(renderPlain));

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Tokenspace",
        description: "A self-hosted, SignalWire-compatible API token service.",
        version: services.version,
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

  const mode = services.mock ? "mock" : "standard";
  app.get("/healthz", { schema: { hide: true, response: { 200: HealthSchema } } }, async () => ({
    status: "ok",
    mode,
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
  app.get("/", { schema: { hide: true } }, (_request, reply) => reply.redirect("/console", 302));
  await app.register(consoleRoutes, { prefix: "/console", directory: services.consoleDirectory });
  if (services.metrics && services.metricsHere) registerMetricsRoute(app, services.metrics);

  await app.register(authRoutes, {
    prefix: "/auth",
    authenticator: services.authenticator,
    projects: services.projects,
    budgets: services.budgets,
    rules: services.verifyRules,
    metrics: services.metrics,
    limiter: services.limiter,
    usage: services.usage,
    clock: services.clock,
    earlyVerdict: (request) => fastPath?.takeVerdict(request.raw),
  });
  for (const surface of SURFACES) {
    for (const prefix of surface.prefixes) {
      await app.register(surfacePlugin, {
        prefix,
        surface,
        services,
        earlyPrincipal: (request) => tokenPath?.takePrincipal(request),
      });
    }
  }
  return app;
}

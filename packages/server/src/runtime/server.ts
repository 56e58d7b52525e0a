import { resolve } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import type { DestinationStream } from "pino";
import type { Clock } from "../domain/clock.js";
import type { Counters } from "../domain/counters.js";
import { buildApp } from "../http/app.js";
import { requestBudgets } from "../http/budget-charges.js";
import { consoleDirectory } from "../http/console-routes.js";
import { registerMetricsRoute } from "../http/metrics-route.js";
import { type BootstrapOutcome, bootstrap } from "./bootstrap.js";
import type { ServerConfig } from "./config.js";
import { createLoggers } from "./logger.js";
import { Metrics } from "./metrics.js";
import { PACKAGE_VERSION } from "./package-version.js";
import { loadTlsCredentials, type TlsCredentials } from "./tls-certificates.js";
import { openTokenspace, type Tokenspace } from "./tokenspace.js";

/** How often passed expiries are recorded and announced, and the audit log pruned. */
const EXPIRY_SWEEP_MS = 1000;
const AUDIT_PRUNE_MS = 60 * 60 * 1000;
/** How often a stopping server closes the connections that have turned idle. */
const IDLE_SWEEP_MS = 50;

export interface RunningServer {
  readonly app: FastifyInstance;
  /** Base URL the server listens on, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly bootstrap: BootstrapOutcome | undefined;
  /** How the server speaks HTTPS; undefined for plain HTTP. */
  readonly tls: TlsCredentials | undefined;
  /** Where /metrics is served on a port of its own (TOKENSPACE_METRICS_PORT), if it is. */
  readonly metricsUrl: string | undefined;
  /** The domain the server runs on (its maintenance and usage recording included). */
  readonly tokenspace: Tokenspace;
  /** Writes the log lines still batched now, rather than with the next batch. */
  flushLogs(): void;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Where log lines go; standard output by default. */
  readonly logDestination?: DestinationStream;
  /** The time the domain reads; tests stand it where they need it. */
  readonly clock?: Clock;
  /** The built console to serve; the @tokenspace/console package's build by default. */
  readonly consoleDirectory?: string;
  /** Counts shared with the server's other worker processes (see openTokenspace). */
  readonly workerCounters?: Counters;
}

export async function startServer(
  config: ServerConfig,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const { logger, requestLines } = createLoggers(config.logLevel, options.logDestination);
  const metrics = config.metrics.enabled ? new Metrics() : undefined;
  const tokenspace = await openTokenspace(config, {
    ...(metrics && { metrics }),
    ...(options.clock && { clock: options.clock }),
    ...(options.workerCounters && { workerCounters: options.workerCounters }),
    warn: (details, message) => logger.warn(details, message),
  });
  let metricsServer: FastifyInstance | undefined;
  try {
    // Certificates are checked before anything is written or served. A store with no place on
    // disk (PostgreSQL) keeps a local CA in ./data unless TOKENSPACE_TLS_DIR says otherwise.
    const tls = await loadTlsCredentials(config.tls, tokenspace.dataDirectory ?? resolve("data"));
    // Fixtures are the whole of a mock store's contents: they take the bootstrap's place.
    if (config.fixtures) await tokenspace.fixtures.restore();
    const outcome = config.fixtures ? undefined : await bootstrap(tokenspace, config.bootstrap);
    const app = await buildApp({
      ...tokenspace,
      logger,
      requestLines,
      trustProxy: config.trustProxy,
      timeouts: config.timeouts,
      verifyRules: config.verifyRules,
      metrics,
      metricsHere: metrics !== undefined && config.metrics.port === undefined,
      budgets: requestBudgets(tokenspace.counters, config),
      https: tls && { cert: tls.cert, key: tls.key },
      consoleDirectory: consoleDirectory(options.consoleDirectory),
      version: PACKAGE_VERSION,
      mock: config.mock,
    });
    await app.listen({ port: config.port, host: config.host });
    tokenspace.webhooks?.start();
    tokenspace.maintenance.start({
      expiriesEveryMs: EXPIRY_SWEEP_MS,
      pruneEveryMs: AUDIT_PRUNE_MS,
    });
    const port = listeningPort(app, config.port);
    const host = config.host.includes(":") ? `[${config.host}]` : config.host;
    if (metrics && config.metrics.port !== undefined) {
      metricsServer = Fastify();
      registerMetricsRoute(metricsServer, metrics);
      await metricsServer.listen({ port: config.metrics.port, host: config.host });
    }
    const metricsPort = metricsServer && listeningPort(metricsServer, 0);
    return {
      app,
      url: `${tls ? "https" : "http"}://${host}:${port}`,
      bootstrap: outcome,
      tls,
      metricsUrl: metricsPort === undefined ? undefined : `http://${host}:${metricsPort}/metrics`,
      tokenspace,
      flushLogs: () => logger.flush(),
      close: async () => {
        await metricsServer?.close();
        // A keep-alive connection whose request finishes during the close turns idle afterwards;
        // closing such connections as they appear ends the stop with the last answer instead of
        // the clients' keep-alive timeout.
        const sweeper = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
        try {
          await app.close();
        } finally {
          clearInterval(sweeper);
        }
        await tokenspace.close();
        logger.flush();
      },
    };
  } catch (error) {
    await metricsServer?.close();
    await tokenspace.close();
    throw error;
  }
}

function listeningPort(app: FastifyInstance, fallback: number): number {
  const address = app.server.address();
  return typeof address === "object" && address ? address.port : fallback;
}

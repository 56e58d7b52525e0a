import { resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import type { DestinationStream } from "pino";
import { type BootstrapOutcome, bootstrap } from "./bootstrap.js";
import type { ServerConfig } from "./config.js";
import { buildApp } from "./http/app.js";
import { requestBudgets } from "./http/request-budgets.js";
import { createLogger } from "./logger.js";
import { loadTlsCredentials, type TlsCredentials } from "./tls-certificates.js";
import { openTokenspace } from "./tokenspace.js";

export interface RunningServer {
  readonly app: FastifyInstance;
  /** Base URL the server listens on, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly bootstrap: BootstrapOutcome | undefined;
  /** How the server speaks HTTPS; undefined for plain HTTP. */
  readonly tls: TlsCredentials | undefined;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Where log lines go; standard output by default. */
  readonly logDestination?: DestinationStream;
}

export async function startServer(
  config: ServerConfig,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const logger = createLogger(config.logLevel, options.logDestination);
  const tokenspace = await openTokenspace(config);
  try {
    // Certificates are checked before anything is written or served. A store with no place on
    // disk (PostgreSQL) keeps a local CA in ./data unless TOKENSPACE_TLS_DIR says otherwise.
    const tls = loadTlsCredentials(config.tls, tokenspace.dataDirectory ?? resolve("data"));
    const outcome = await bootstrap(tokenspace, config.bootstrap);
    const app = await buildApp({
      ...tokenspace,
      logger,
      trustProxy: config.trustProxy,
      timeouts: config.timeouts,
      verifyRules: config.verifyRules,
      budgets: requestBudgets(tokenspace.counters, config),
      https: tls && { cert: tls.cert, key: tls.key },
    });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const host = config.host.includes(":") ? `[${config.host}]` : config.host;
    return {
      app,
      url: `${tls ? "https" : "http"}://${host}:${port}`,
      bootstrap: outcome,
      tls,
      close: async () => {
        await app.close();
        await tokenspace.close();
        logger.flush();
      },
    };
  } catch (error) {
    await tokenspace.close();
    throw error;
  }
}

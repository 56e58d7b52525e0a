import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { Clock } from "../../src/domain/clock.js";
import { loadConfig } from "../../src/runtime/config.js";
import { type RunningServer, startServer } from "../../src/runtime/server.js";
import { createTestDatabase, type TestDatabase } from "./test-database.js";

export interface TestServer {
  readonly url: string;
  readonly projectId: string;
  /** The bootstrap token: every permission. */
  readonly token: string;
  readonly directory: string;
  /** The store this server runs on; another server given it shares the same state. */
  readonly database: TestDatabase;
  readonly server: RunningServer;
  /** Everything the server logged so far. */
  logs(): string;
  /** Stops the server and starts a new one on the same database and key file. */
  restart(): Promise<TestServer>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly directory?: string;
  readonly database?: TestDatabase;
  readonly env?: NodeJS.ProcessEnv;
  readonly credentials?: { readonly projectId: string; readonly token: string };
  /** The time the server's domain reads (the system clock by default). */
  readonly clock?: Clock;
  /** A console build to serve instead of the package's own. */
  readonly consoleDirectory?: string;
}

export function newSecret(): string {
  return `PT${randomBytes(24).toString("hex")}`;
}

/**
 * A database of its own in `directory`, and the environment that starts `tokenspace serve`
 * processes on it with a fixed bootstrap project and token (the credentials to call them with).
 */
export async function bootstrappedDatabase(directory: string) {
  const database = await createTestDatabase(directory);
  const projectId = randomUUID();
  const token = newSecret();
  const env = {
    ...database.env,
    DATABASE_URL: database.url,
    TOKENSPACE_BOOTSTRAP_PROJECT_ID: projectId,
    TOKENSPACE_BOOTSTRAP_TOKEN: token,
  };
  return { database, projectId, token, env };
}

/**
 * A real Tokenspace server over real HTTP, on a fresh store of the kind under test (a SQLite
 * file in a temporary directory, or a PostgreSQL schema of its own).
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), "tokenspace-test-"));
  const database = options.database ?? (await createTestDatabase(directory));
  const credentials = options.credentials ?? { projectId: randomUUID(), token: newSecret() };
  const logChunks: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logChunks.push(chunk.toString());
      done();
    },
  });
  const config = loadConfig({
    ...database.env,
    DATABASE_URL: database.url,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    TOKENSPACE_BOOTSTRAP_PROJECT_ID: credentials.projectId,
    TOKENSPACE_BOOTSTRAP_TOKEN: credentials.token,
    ...options.env,
  });
  const server = await startServer(config, {
    logDestination: logStream,
    ...(options.clock && { clock: options.clock }),
    ...(options.consoleDirectory && { consoleDirectory: options.consoleDirectory }),
  });
  const testServer: TestServer = {
    url: server.url,
    projectId: credentials.projectId,
    token: credentials.token,
    directory,
    database,
    server,
    logs: () => logChunks.join(""),
    restart: async () => {
      await server.close();
      return startTestServer({ ...options, directory, database, credentials });
    },
    close: async () => {
      await server.close();
      if (!options.directory) rmSync(directory, { recursive: true, force: true });
    },
  };
  return testServer;
}

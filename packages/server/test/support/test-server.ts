import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { loadConfig } from "../../src/config.js";
import { type RunningServer, startServer } from "../../src/server.js";

export interface TestServer {
  readonly url: string;
  readonly projectId: string;
  /** The bootstrap token: every permission. */
  readonly token: string;
  readonly directory: string;
  readonly server: RunningServer;
  /** Everything the server logged so far. */
  logs(): string;
  /** Stops the server and starts a new one on the same database and key file. */
  restart(): Promise<TestServer>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly directory?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly credentials?: { readonly projectId: string; readonly token: string };
}

export function newSecret(): string {
  return `PT${randomBytes(24).toString("hex")}`;
}

/** A real Tokenspace server on a fresh SQLite file in a temporary directory, over real HTTP. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), "tokenspace-test-"));
  const credentials = options.credentials ?? { projectId: randomUUID(), token: newSecret() };
  const logChunks: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logChunks.push(chunk.toString());
      done();
    },
  });
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(directory, "tokenspace.db")}`,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    TOKENSPACE_BOOTSTRAP_PROJECT_ID: credentials.projectId,
    TOKENSPACE_BOOTSTRAP_TOKEN: credentials.token,
    ...options.env,
  });
  const server = await startServer(config, { logDestination: logStream });
  const testServer: TestServer = {
    url: server.url,
    projectId: credentials.projectId,
    token: credentials.token,
    directory,
    server,
    logs: () => logChunks.join(""),
    restart: async () => {
      await server.close();
      return startTestServer({ ...options, directory, credentials });
    },
    close: async () => {
      await server.close();
      if (!options.directory) rmSync(directory, { recursive: true, force: true });
    },
  };
  return testServer;
}

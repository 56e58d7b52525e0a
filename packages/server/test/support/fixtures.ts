import { afterAll, beforeAll } from "vitest";
import { compatClient } from "./compat.js";
import type { HttpClient } from "./http-client.js";
import { startTestServer, type TestServer, type TestServerOptions } from "./test-server.js";

export interface ServerFixture {
  /** The running server. */
  readonly server: TestServer;
  /** Compatibility API paths and a client authenticated with the bootstrap token. */
  readonly api: ReturnType<typeof compatClient>;
  /** A client authenticated with the bootstrap token, for any path. */
  readonly http: HttpClient;
}

/**
 * One real server for a whole `describe` block, started before its tests and closed after
 * them. Read its fields inside hooks and tests, once the server runs.
 */
export function useTestServer(options: TestServerOptions = {}): ServerFixture {
  let running: { server: TestServer; api: ReturnType<typeof compatClient> } | undefined;
  const current = () => {
    if (!running) throw new Error("the test server is not running yet");
    return running;
  };
  beforeAll(async () => {
    const server = await startTestServer(options);
    running = { server, api: compatClient(server) };
  });
  afterAll(() => running?.server.close());
  return {
    get server() {
      return current().server;
    },
    get api() {
      return current().api;
    },
    get http() {
      return current().api.http;
    },
  };
}

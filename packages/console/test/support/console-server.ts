import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchChromium } from "../../../server/test/support/chromium.js";
import {
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from "../../../server/test/support/test-server.js";
import { useConsoleBuild } from "./console-build.js";

/**
 * A real server serving a console built from the current source, for a whole `describe`
 * block; read `server` inside hooks and tests, once it runs.
 */
export function useConsoleServer(options: TestServerOptions = {}): { readonly server: TestServer } {
  let build: Awaited<ReturnType<typeof useConsoleBuild>> | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    build = await useConsoleBuild();
    server = await startTestServer({ ...options, consoleDirectory: build.directory });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    build?.release();
  });
  return {
    get server() {
      if (!server) throw new Error("the console's server is not running yet");
      return server;
    },
  };
}

/** Headless Chromium for a whole `describe` block. */
export function useChromium(): { readonly browser: Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(() => browser?.close());
  return {
    get browser() {
      if (!browser) throw new Error("Chromium is not running yet");
      return browser;
    },
  };
}

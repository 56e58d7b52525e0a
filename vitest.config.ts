import { fileURLToPath } from "node:url";
import { defineConfig, type ViteUserConfig } from "vitest/config";
import LongFilesFirst from "./packages/server/test/support/long-files-first.js";
import { buildPackages, findPrerequisites } from "./packages/server/test/support/prerequisites.js";

const ROOT = fileURLToPath(new URL(".", import.meta.url));
const source = (file: string) => fileURLToPath(new URL(`packages/${file}`, import.meta.url));

const TEMPORARY_DIRECTORY_SETUP = "packages/server/test/support/temporary-directory-setup.ts";

/**
 * The behaviour suite runs once per store: SQLite always, PostgreSQL whenever one is reachable.
 * The PostgreSQL project leaves out the files that never reach the store, or reach it only the
 * way the SQLite project already proves (see README, "Tests").
 */
const STORE_INDEPENDENT = [
  "packages/*/test/unit/**",
  // Clients over HTTP: what they prove of the store, the server's own files prove on both.
  "packages/sdk/test/**",
  "packages/console/test/**",
  "packages/server/test/compatibility-client.test.ts",
  "packages/server/test/seed-examples.test.ts",
  "packages/server/test/cli-remote.test.ts",
  "packages/server/test/cli-help.test.ts",
  // Wire handling in front of any store.
  "packages/server/test/root-prefix.test.ts",
  "packages/server/test/framework-answers.test.ts",
  "packages/server/test/malformed-requests.test.ts",
  "packages/server/test/hostile-input.test.ts",
  "packages/server/test/early-answers.test.ts",
  "packages/server/test/tls.test.ts",
  // The packed packages, installed and started as the container image runs them.
  "packages/server/test/package-install.test.ts",
  // The harness measures both stores itself.
  "bench/**",
];

export default defineConfig(async (): Promise<ViteUserConfig> => {
  const found = await findPrerequisites();
  buildPackages(ROOT);
  const shared = {
    include: ["packages/*/test/**/*.test.ts", "bench/**/*.test.ts"],
    testTimeout: 20_000,
    // One worker per core: the servers, child processes and PostgreSQL the tests start share
    // the same cores, and more workers made PostgreSQL too slow to answer a connection in time.
    // Each worker keeps the modules it loaded (Fastify, the drivers, the SDK) for its next file
    // instead of loading them again, which halves the suite's CPU. A file must therefore leave
    // no state behind in shared modules: each test server and store is its own.
    maxWorkers: 2,
    isolate: false,
    hookTimeout: 30_000,
    globalSetup: [TEMPORARY_DIRECTORY_SETUP],
    provide: {
      redisUrl: found.redisUrl ?? null,
      chromium: found.chromium ?? null,
      nginx: found.nginx ?? null,
      caddy: found.caddy ?? null,
    },
  };
  return {
    // The workspace packages resolve to their TypeScript sources, so tests never run a stale build.
    resolve: {
      alias: [
        { find: /^@tokenspace\/sdk$/, replacement: source("sdk/src/index.ts") },
        { find: /^@tokenspace\/contract$/, replacement: source("contract/src/index.ts") },
      ],
    },
    test: {
      sequence: { sequencer: LongFilesFirst },
      projects: [
        {
          extends: true as const,
          test: { ...shared, name: "sqlite", env: { TOKENSPACE_TEST_STORE: "sqlite" } },
        },
        ...(found.postgresUrl
          ? [
              {
                extends: true as const,
                test: {
                  ...shared,
                  name: "postgres",
                  env: {
                    TOKENSPACE_TEST_STORE: "postgres",
                    TOKENSPACE_TEST_POSTGRES_URL: found.postgresUrl,
                  },
                  exclude: STORE_INDEPENDENT,
                  globalSetup: [
                    TEMPORARY_DIRECTORY_SETUP,
                    "packages/server/test/support/postgres-setup.ts",
                  ],
                },
              },
            ]
          : []),
      ],
    },
  };
});

import { fileURLToPath } from "node:url";
import pg from "pg";
import { defineConfig, type ViteUserConfig } from "vitest/config";

const source = (file: string) => fileURLToPath(new URL(`packages/${file}`, import.meta.url));

const POSTGRES_URL =
  process.env.TOKENSPACE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The behaviour suite runs once per store: SQLite always, PostgreSQL whenever one is reachable
 * (TOKENSPACE_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test). CI must not skip it.
 */
export default defineConfig(async (): Promise<ViteUserConfig> => {
  const withPostgres = await postgresReachable();
  if (!withPostgres) {
    const message = `PostgreSQL is not reachable at ${POSTGRES_URL}`;
    if (process.env.CI)
      throw new Error(`${message}: CI runs the PostgreSQL suite and cannot skip it.`);
    console.warn(
      `\n  ${message}: running the SQLite suite only.\n  Start PostgreSQL (or set TOKENSPACE_TEST_POSTGRES_URL) to run the PostgreSQL suite too.\n`,
    );
  }
  const shared = {
    include: ["packages/*/test/**/*.test.ts", "bench/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
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
      projects: [
        {
          extends: true as const,
          test: { ...shared, name: "sqlite", env: { TOKENSPACE_TEST_STORE: "sqlite" } },
        },
        ...(withPostgres
          ? [
              {
                extends: true as const,
                test: {
                  ...shared,
                  name: "postgres",
                  env: { TOKENSPACE_TEST_STORE: "postgres" },
                  exclude: [
                    "packages/*/test/unit/**",
                    "packages/sdk/test/examples.test.ts",
                    "packages/sdk/test/portability.test.ts",
                    "packages/sdk/test/browser.test.ts",
                    // The harness measures both stores itself.
                    "bench/**",
                  ],
                  globalSetup: ["packages/server/test/support/postgres-setup.ts"],
                },
              },
            ]
          : []),
      ],
    },
  };
});

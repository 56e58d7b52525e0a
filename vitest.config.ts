import pg from "pg";
import { defineConfig } from "vitest/config";

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
export default defineConfig(async () => {
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
    include: ["packages/*/test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  };
  return {
    test: {
      projects: [
        { test: { ...shared, name: "sqlite", env: { TOKENSPACE_TEST_STORE: "sqlite" } } },
        ...(withPostgres
          ? [
              {
                test: {
                  ...shared,
                  name: "postgres",
                  env: { TOKENSPACE_TEST_STORE: "postgres" },
                  exclude: ["packages/*/test/unit/**"],
                  globalSetup: ["packages/server/test/support/postgres-setup.ts"],
                },
              },
            ]
          : []),
      ],
    },
  };
});

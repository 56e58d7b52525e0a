import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";

/**
 * Global setup of the PostgreSQL suite: one database for the run, created here and dropped at
 * the end, whatever the tests did. Each test server then works in a schema of its own.
 */
export default async function setup(project: TestProject) {
  const adminUrl =
    process.env.TOKENSPACE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const database = `tokenspace_test_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  project.provide("postgresUrl", url.toString());
  return async () => {
    const cleaner = new pg.Client({ connectionString: adminUrl });
    await cleaner.connect();
    await cleaner.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await cleaner.end();
  };
}

import { randomBytes } from "node:crypto";
import pg from "pg";

export const POSTGRES_URL =
  process.env.TOKENSPACE_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A database of its own for one benchmark run, dropped afterwards; undefined without PostgreSQL. */
export async function postgresDatabase(): Promise<
  { url: string; drop: () => Promise<void> } | undefined
> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const name = `tokenspace_bench_${randomBytes(4).toString("hex")}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const cleaner = new pg.Client({ connectionString: POSTGRES_URL });
      await cleaner.connect();
      await cleaner.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleaner.end();
    },
  };
}

import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { inject } from "vitest";

/** Which store this run of the suite exercises; vitest.config.ts runs the suite once per store. */
export const TEST_STORE: "sqlite" | "postgres" =
  process.env.TOKENSPACE_TEST_STORE === "postgres" ? "postgres" : "sqlite";

/** A fresh, empty store for one test server (and its restarts), on the store under test. */
export interface TestDatabase {
  readonly url: string;
  /** Environment a server or CLI process needs besides DATABASE_URL (the shared key, on PostgreSQL). */
  readonly env: Readonly<Record<string, string>>;
  /** Everything the store holds on disk or in its tables, as text, to look for leaked secrets in. */
  dump(): Promise<string>;
  countRows(table: "projects" | "tokens" | "webhook_outbox" | "usage_counts"): Promise<number>;
  /** Runs SQL on the database directly, as an operator (or a newer release) would. */
  execute(sql: string): Promise<void>;
}

export async function createTestDatabase(directory: string): Promise<TestDatabase> {
  return TEST_STORE === "postgres" ? createPostgresSchema() : sqliteDatabase(directory);
}

function sqliteDatabase(directory: string): TestDatabase {
  const file = join(directory, "tokenspace.db");
  return {
    url: `sqlite:${file}`,
    env: {},
    dump: async () =>
      readdirSync(directory)
        .filter((name) => name.startsWith("tokenspace.db"))
        .map((name) => readFileSync(join(directory, name)).toString("latin1"))
        .join("\n"),
    execute: async (sql) => {
      const { default: Database } = await import("better-sqlite3");
      const writer = new Database(file);
      try {
        writer.exec(sql);
      } finally {
        writer.close();
      }
    },
    countRows: async (table) => {
      const { default: Database } = await import("better-sqlite3");
      const reader = new Database(file, { readonly: true });
      try {
        return (reader.prepare(`SELECT count(*) AS count FROM ${table}`).get() as { count: number })
          .count;
      } finally {
        reader.close();
      }
    },
  };
}

/** Each test server gets its own schema in the run's database (created by postgres-setup.ts). */
async function createPostgresSchema(): Promise<TestDatabase> {
  const base = inject("postgresUrl");
  if (!base) throw new Error("the PostgreSQL suite runs without a database: see vitest.config.ts");
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const run = async <T>(work: (client: pg.Client) => Promise<T>) => {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      await client.query(`SET search_path TO ${schema}`);
      return await work(client);
    } finally {
      await client.end();
    }
  };
  await run((client) => client.query(`CREATE SCHEMA ${schema}`));
  return {
    url: `${base}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    env: { TOKENSPACE_SECRET_KEY: randomBytes(32).toString("hex") },
    dump: () =>
      run(async (client) => {
        const tables = ["settings", "projects", "tokens", "schema_migrations"];
        const rows = [];
        for (const table of tables) {
          rows.push(await client.query(`SELECT row_to_json(t)::text AS row FROM ${table} t`));
        }
        return rows.flatMap((result) => result.rows.map((row) => row.row as string)).join("\n");
      }),
    execute: async (sql) => {
      await run((client) => client.query(sql));
    },
    countRows: (table) =>
      run(async (client) => {
        const result = await client.query(`SELECT count(*)::int AS count FROM ${table}`);
        return result.rows[0].count as number;
      }),
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The database this run's PostgreSQL suite uses, or null when the suite runs on SQLite. */
    postgresUrl: string | null;
    /** Where the suite found Redis, Chromium, nginx and Caddy (vitest.config.ts), or null. */
    redisUrl: string | null;
    chromium: string | null;
    nginx: string | null;
    caddy: string | null;
  }
}

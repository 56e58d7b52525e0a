import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { Socket } from "node:net";
import pg from "pg";

/**
 * What the suite drives besides Node: each is found where `.ci/run` installs it, or where its
 * `TOKENSPACE_TEST_*` variable says. A missing one skips its tests with one line that says how
 * to install it; under CI=true a missing one fails the run instead.
 */
export interface Prerequisites {
  readonly postgresUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly chromium: string | undefined;
  readonly nginx: string | undefined;
  readonly caddy: string | undefined;
}

const POSTGRES_URL =
  process.env.TOKENSPACE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.TOKENSPACE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const CHROMIUM = process.env.TOKENSPACE_TEST_CHROMIUM ?? "/usr/bin/chromium";
const NGINX = process.env.TOKENSPACE_TEST_NGINX ?? "/usr/sbin/nginx";
const CADDY = process.env.TOKENSPACE_TEST_CADDY ?? "/usr/bin/caddy";

/** Whether a PostgreSQL server accepts a connection at `url` within 3 s. */
export async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A Redis PING over a bare socket: the answer is `+PONG`. */
function redisReachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (reachable: boolean) => {
      socket.destroy();
      resolve(reachable);
    };
    socket.setTimeout(3000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
    socket.connect(Number(port || 6379), hostname, () => socket.write("PING\r\n"));
  });
}

/** Finds what the suite needs; prints one line per missing part, or fails under CI. */
export async function findPrerequisites(): Promise<Prerequisites> {
  const found: Prerequisites = {
    postgresUrl: (await postgresReachable(POSTGRES_URL)) ? POSTGRES_URL : undefined,
    redisUrl: (await redisReachable(REDIS_URL)) ? REDIS_URL : undefined,
    chromium: existsSync(CHROMIUM) ? CHROMIUM : undefined,
    nginx: existsSync(NGINX) ? NGINX : undefined,
    caddy: existsSync(CADDY) ? CADDY : undefined,
  };
  const missing = [
    !found.postgresUrl &&
      `PostgreSQL is not reachable at ${POSTGRES_URL}: the PostgreSQL suite is skipped. Start it (pg_ctlcluster <version> main start) or set TOKENSPACE_TEST_POSTGRES_URL.`,
    !found.redisUrl &&
      `Redis is not reachable at ${REDIS_URL}: the shared-counter tests are skipped. Install and start it (apt-get install redis-server) or set TOKENSPACE_TEST_REDIS_URL.`,
    !found.chromium &&
      `Chromium is not at ${CHROMIUM}: the console and SDK browser tests are skipped. Install it (apt-get install chromium) or set TOKENSPACE_TEST_CHROMIUM.`,
    !found.nginx &&
      `nginx is not at ${NGINX}: the forward-auth test is skipped. Install it (apt-get install nginx) or set TOKENSPACE_TEST_NGINX.`,
    !found.caddy &&
      `Caddy is not at ${CADDY}: the Caddy forward_auth test is skipped. Install it (apt-get install caddy) or set TOKENSPACE_TEST_CADDY.`,
  ].filter((line): line is string => typeof line === "string");
  if (missing.length > 0 && process.env.CI) {
    throw new Error(`CI runs the whole suite, and it cannot here:\n${missing.join("\n")}`);
  }
  for (const line of missing) console.warn(`tokenspace tests: ${line}`);
  return found;
}

/**
 * Compiles the packages the suite runs as processes (the CLI, the server) from their current
 * sources: an incremental build, about a second when nothing changed, so no test runs a stale
 * build and none pays for a TypeScript loader of its own.
 */
export function buildPackages(root: string): void {
  execFileSync(
    process.execPath,
    [
      "node_modules/typescript/bin/tsc",
      "-b",
      "packages/contract",
      "packages/sdk",
      "packages/server",
    ],
    { cwd: root, stdio: "inherit" },
  );
}

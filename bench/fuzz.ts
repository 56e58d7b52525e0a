/**
 * `npm run fuzz [-- --count N]`: sends N hostile requests (default 100 000) to a server on each
 * store, as `npm start` configures it, and reports how they were answered. It fails on any 5xx,
 * on an error body over 10 KB, and when the store holds anything the refused requests could
 * have written.
 */
import { parseArgs } from "node:util";
import fc from "fast-check";
import pg from "pg";
import {
  describeRequest,
  hostileRequest,
} from "../packages/server/test/support/hostile-requests.js";
import { postgresReachable } from "../packages/server/test/support/prerequisites.js";
import { startTarget } from "./processes.js";
import { seedStore } from "./seed.js";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "100000" },
    concurrency: { type: "string", default: "16" },
  },
});
const COUNT = Number(values.count);
const CONCURRENCY = Number(values.concurrency);
const POSTGRES_URL =
  process.env.TOKENSPACE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function fuzz(store: string, databaseUrl: string): Promise<boolean> {
  const seeded = await seedStore(databaseUrl, 0, 0);
  const target = await startTarget(
    ["packages/server/bin/tokenspace.js", "serve"],
    { ...seeded.env, LOG_LEVEL: "warn" },
    "/healthz",
  );
  const authorization = `Basic ${Buffer.from(`${seeded.projectId}:${seeded.token}`).toString("base64")}`;
  const call = async (method: string, path: string, body?: string, contentType?: string) => {
    const response = await fetch(target.url + path, {
      method,
      headers: { authorization, ...(contentType && { "content-type": contentType }) },
      body,
    });
    return { status: response.status, text: await response.text() };
  };
  const compatTokens = `/api/laml/2010-04-01/Accounts/${seeded.projectId}/tokens`;
  const accounts = "/api/laml/2010-04-01/Accounts";
  const subproject = JSON.parse(
    (await call("POST", accounts, JSON.stringify({ FriendlyName: "Fuzzed" }), "application/json"))
      .text,
  ).sid;
  const paths = {
    compatTokens,
    compatToken: `${compatTokens}/${seeded.readTokenId}`,
    nativeToken: `/api/project/tokens/${seeded.readTokenId}`,
    accounts,
    subproject: `${accounts}/${subproject}`,
  };
  const statuses = new Map<number, number>();
  let created = 0;
  let oversized = 0;
  let slowestMs = 0;
  const started = performance.now();
  const requests = fc.sample(hostileRequest, { numRuns: COUNT, seed: 20261126 });
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const hostile = requests[next++];
        if (!hostile) break;
        const { method, path, body, contentType } = describeRequest(hostile, paths);
        const sent = performance.now();
        const answer = await call(method, path, body, contentType);
        slowestMs = Math.max(slowestMs, performance.now() - sent);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status >= 400 && answer.text.length >= 10_240) oversized++;
        if (answer.status === 200 && method === "POST" && path.endsWith("/tokens")) created++;
        if (answer.status === 201) created++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const listed = JSON.parse((await call("GET", `${compatTokens}?PageSize=1000`)).text);
  const tokensHeld = listed.tokens.length;
  const peak = target.peakRssMb();
  await target.stop();
  const serverErrors = [...statuses]
    .filter(([status]) => status >= 500)
    .reduce((sum, [, n]) => sum + n, 0);
  const summary = [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}: ${n}`)
    .join(", ");
  process.stdout.write(
    `${store}: ${COUNT.toLocaleString("en")} requests in ${seconds.toFixed(1)} s (${Math.round(COUNT / seconds)}/s); ${summary}; 5xx: ${serverErrors}; error bodies ≥ 10 KB: ${oversized}; slowest ${slowestMs.toFixed(0)} ms; peak RSS ${peak.toFixed(0)} MB; tokens created ${created}, tokens listed ${tokensHeld} (2 seeded + created, capped at 1000 listed)\n`,
  );
  return serverErrors === 0 && oversized === 0 && tokensHeld === Math.min(1000, 2 + created);
}

async function freshPostgres(): Promise<string> {
  const name = `tokenspace_fuzz_${process.pid}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

const directory = await import("node:fs").then((fs) => fs.mkdtempSync("/tmp/tokenspace-fuzz-"));
let ok = await fuzz("sqlite", `sqlite:${directory}/tokenspace.db`);
if (await postgresReachable(POSTGRES_URL))
  ok = (await fuzz("postgres", await freshPostgres())) && ok;
process.exit(ok ? 0 : 1);

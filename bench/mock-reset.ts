/**
 * `npm run bench:mock-reset`: how long mock mode's `POST /__mock__/state/reset` takes to put a
 * store back to fixtures of 1 000 tokens (10 projects of 100), on SQLite and on PostgreSQL, with
 * the server run as `npm start` runs it. Each reset first undoes a few writes, as a test would
 * have made. Target: under 100 ms.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { postgresDatabase } from "./postgres-database.js";
import { startTarget } from "./processes.js";

const RESETS = 30;
const directory = mkdtempSync("/tmp/tokenspace-mock-reset-");
const projects = Array.from({ length: 10 }, (_, project) => ({
  id: randomUUID(),
  friendly_name: `Fixture ${project}`,
  tokens: Array.from({ length: 100 }, (_, token) => ({
    name: `token ${token}`,
    permissions: ["calling", "management"],
    token: `fixture_${project}_${token}`,
  })),
}));
const fixtures = join(directory, "fixtures.json");
writeFileSync(fixtures, JSON.stringify({ projects }));
const [first] = projects;
const authorization = `Basic ${Buffer.from(`${first?.id}:fixture_0_0`).toString("base64")}`;

async function measure(store: string, databaseUrl: string): Promise<string> {
  const target = await startTarget(
    ["packages/server/bin/tokenspace.js", "serve"],
    {
      DATABASE_URL: databaseUrl,
      TOKENSPACE_MOCK: "1",
      TOKENSPACE_FIXTURES: fixtures,
      TOKENSPACE_SECRET_KEY: "a".repeat(64),
    },
    "/healthz",
  );
  try {
    const timings: number[] = [];
    for (let index = 0; index < RESETS; index++) {
      const created = await fetch(
        `${target.url}/api/laml/2010-04-01/Accounts/${first?.id}/tokens`,
        {
          method: "POST",
          headers: { authorization, "content-type": "application/json" },
          body: JSON.stringify({ name: "made by a test", permissions: ["fax"] }),
        },
      );
      if (created.status !== 200) throw new Error(`create answered ${created.status}`);
      const started = performance.now();
      const reset = await fetch(`${target.url}/__mock__/state/reset`, { method: "POST" });
      const answer = (await reset.json()) as { tokens: number };
      timings.push(performance.now() - started);
      if (answer.tokens !== 1000) throw new Error(`reset restored ${answer.tokens} tokens`);
    }
    timings.sort((a, b) => a - b);
    const at = (share: number) =>
      timings[Math.min(timings.length - 1, Math.floor(share * timings.length))] ?? 0;
    return `| ${store} | 1 000 | ${at(0.5).toFixed(1)} | ${at(0.99).toFixed(1)} | ${(timings.at(-1) ?? 0).toFixed(1)} |`;
  } finally {
    await target.stop();
  }
}

const rows = [await measure("SQLite", `sqlite:${join(directory, "tokenspace.db")}`)];
const postgres = await postgresDatabase();
if (postgres) {
  try {
    rows.push(await measure("PostgreSQL", postgres.url));
  } finally {
    await postgres.drop();
  }
}
process.stdout.write(
  [
    `POST /__mock__/state/reset, ${RESETS} times each (target: under 100 ms)`,
    "",
    "| store | fixture tokens | p50 ms | p99 ms | max ms |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
  ].join("\n"),
);

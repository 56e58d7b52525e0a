/**
 * `npm run bench:hostile`: what the 250 000-item permission list (977 KiB) costs a server run as
 * `npm start` runs it (SQLite). Prints the time and size of its answer, then a normal
 * authenticated GET's latency alone and while four clients send that body for 15 s, and the
 * server's peak memory. Targets: answered in under 50 ms with under 10 KB; the GET's p99 moves
 * by less than 2×; RSS stays under 300 MB.
 */
import { mkdtempSync } from "node:fs";
import autocannon from "autocannon";
import { startTarget } from "./processes.js";
import { seedStore } from "./seed.js";

const DURATION_S = 15;
const directory = mkdtempSync("/tmp/tokenspace-hostile-");
const seeded = await seedStore(`sqlite:${directory}/tokenspace.db`, 1000, 0);
const target = await startTarget(
  ["packages/server/bin/tokenspace.js", "serve"],
  seeded.env,
  "/healthz",
);
const authorization = `Basic ${Buffer.from(`${seeded.projectId}:${seeded.token}`).toString("base64")}`;
const tokens = `/api/laml/2010-04-01/Accounts/${seeded.projectId}/tokens`;
const hostileBody = JSON.stringify({ name: "n", permissions: new Array(250_000).fill("x") });

const timings: number[] = [];
let answerBytes = 0;
for (let index = 0; index < 20; index++) {
  const started = performance.now();
  const response = await fetch(target.url + tokens, {
    method: "POST",
    headers: { authorization, "content-type": "application/json" },
    body: hostileBody,
  });
  answerBytes = (await response.text()).length;
  timings.push(performance.now() - started);
}
timings.sort((a, b) => a - b);

const normalGet = () =>
  autocannon({
    url: `${target.url}${tokens}/${seeded.readTokenId}`,
    connections: 10,
    duration: DURATION_S,
    headers: { authorization },
  });
const hostileClients = () =>
  autocannon({
    url: target.url + tokens,
    connections: 4,
    duration: DURATION_S,
    method: "POST",
    headers: { authorization, "content-type": "application/json" },
    body: hostileBody,
  });

const alone = await normalGet();
const [underAttack, attack] = await Promise.all([normalGet(), hostileClients()]);
const peak = target.peakRssMb();
await target.stop();

const line = (label: string, value: string, goal: string, met: boolean) =>
  `| ${label} | ${value} | ${goal} | ${met ? "met" : "missed"} |`;
const p99Ratio = underAttack.latency.p99 / Math.max(alone.latency.p99, 1);
process.stdout.write(
  [
    `Hostile body: ${(hostileBody.length / 1024).toFixed(0)} KiB, 250 000 permissions; server as npm start runs it (SQLite, request logging on).`,
    "",
    "| measure | value | goal | |",
    "| --- | --- | --- | --- |",
    line(
      "its answer, median time",
      `${timings[10]?.toFixed(1)} ms`,
      "< 50 ms",
      (timings[10] ?? 0) < 50,
    ),
    line("its answer, size", `${answerBytes} bytes`, "< 10 KB", answerBytes < 10_240),
    line("normal GET p99 alone", `${alone.latency.p99} ms`, "", true),
    line(
      "normal GET p99 with 4 hostile clients",
      `${underAttack.latency.p99} ms (${p99Ratio.toFixed(2)}×; ${attack.requests.total} hostile bodies answered)`,
      "< 2×",
      p99Ratio < 2,
    ),
    line(
      "normal GET req/s alone / under attack",
      `${alone.requests.average} / ${underAttack.requests.average}`,
      "",
      true,
    ),
    line("server peak RSS", `${peak.toFixed(0)} MB`, "< 300 MB", peak < 300),
    "",
  ].join("\n"),
);

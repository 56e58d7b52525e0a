import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { compiledServer } from "./compiled-server.js";
import { POSTGRES_URL, postgresDatabase } from "./postgres-database.js";
import { startTarget, type Target } from "./processes.js";
import { ResponseTimes } from "./response-times.js";
import { type Scenario, scenarios } from "./scenarios.js";
import { seedStore } from "./seed.js";

/**
 * npm run bench [-- --quick] [-- --no-write] [-- --only=<scenario text>] [-- --small]
 *
 * `--only` measures the scenarios whose name contains the text; `--small` seeds 1 000 tokens
 * only. Either implies `--no-write`: BENCHMARKS.md holds complete runs only.
 *
 * Measures Tokenspace against the ceiling of a raw node:http server on the same machine, in
 * the same run, alternating baseline and subject so that drift hits both alike.
 */
const quick = process.argv.includes("--quick");
const only = process.argv
  .find((argument) => argument.startsWith("--only="))
  ?.slice("--only=".length);
const small = process.argv.includes("--small");
const write = !process.argv.includes("--no-write") && !quick && !only && !small;
/**
 * `--quick` proves the harness, not the speed: each run stops after a few hundred requests, so
 * the smoke test in the suite costs little CPU, and its figures mean nothing.
 */
const SETTINGS = quick
  ? {
      sizes: [1_000],
      durationS: 1,
      requestsPerRun: 100,
      warmupS: 0,
      startupWarmupS: 0,
      rounds: 1,
      connections: 8,
      deletable: 1_000,
      // autocannon otherwise ends a run on its next one-second sample, whatever `amount` says.
      sampleIntervalMs: 100,
    }
  : {
      sizes: small ? [1_000] : [1_000, 1_000_000],
      durationS: 2,
      requestsPerRun: undefined,
      warmupS: 1,
      // A process just started spends its first seconds compiling and sizing its heap: a fresh
      // server's GET cost 44 µs of CPU in its first 2 s, 32 in the next 2, then 27–31.
      startupWarmupS: 5,
      rounds: 5,
      connections: 32,
      deletable: 400_000,
      sampleIntervalMs: 1000,
    };
const SERVER = ["packages/server/bin/tokenspace.js", "serve"];
/**
 * What a durable create costs without Tokenspace, each measured beside SQLite's create: its
 * writes served by node:http alone, then by Fastify.
 */
const CREATE_FLOORS = [
  {
    name: "durable-create-floor",
    label: "node:http and better-sqlite3 making a create's writes, no framework",
  },
  {
    name: "fastify-create-floor",
    label: "the same served by a Fastify route with its defaults",
  },
] as const;

interface Floor {
  readonly name: string;
  readonly label: string;
  readonly target: Target;
}
const CREATE = "POST create";

interface Measurement {
  readonly requestsPerSecond: number;
  /** The serving process's user + system CPU time per request answered, in microseconds. */
  readonly cpuPerRequestUs: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly errors: number;
}

interface Row {
  readonly store: string;
  readonly size: number;
  readonly scenario: string;
  readonly subject: Measurement;
  readonly baseline: Measurement;
  /** The baseline's CPU per request over Tokenspace's (see pairedRatio). */
  readonly cpuRatio: PairedRatio;
  /** The durable create's floors (CREATE_FLOORS), measured beside SQLite's, in that order. */
  readonly floors?: readonly {
    readonly floor: Floor;
    readonly measurement: Measurement;
    /** The baseline's CPU per request over the floor's (see pairedRatio). */
    readonly cpuRatio: PairedRatio;
  }[];
  readonly peakRssMb: number;
}

/** The targets measured before: warmed up since they started. */
const warmed = new WeakSet<Target>();

async function measure(
  target: Target,
  scenario: Scenario,
  isSubject: boolean,
): Promise<Measurement> {
  const expectedStatuses = isSubject ? scenario.expectedStatuses : [200];
  const options: autocannon.Options = {
    url: target.url,
    connections: SETTINGS.connections,
    duration: SETTINGS.durationS,
    sampleInt: SETTINGS.sampleIntervalMs,
    ...(SETTINGS.requestsPerRun !== undefined && { amount: SETTINGS.requestsPerRun }),
    requests: [
      {
        method: scenario.method,
        headers: {
          authorization: scenario.authorization,
          ...(scenario.body !== undefined && { "content-type": "application/json" }),
        },
        ...(scenario.body !== undefined && { body: scenario.body }),
        setupRequest: (request) => ({ ...request, path: scenario.nextPath(isSubject) }),
      },
    ],
  };
  // The warm-up runs on its own, so that the CPU time read around the measured run is its own;
  // a target's first is longer, so that what is measured is the process warm, as it serves.
  const warmupS = warmed.has(target) ? SETTINGS.warmupS : SETTINGS.startupWarmupS;
  warmed.add(target);
  if (warmupS > 0) await autocannon({ ...options, duration: warmupS });
  const times = new ResponseTimes();
  const cpuBefore = target.cpuMicroseconds();
  const result = await runTimed(options, (status, milliseconds) => {
    if (expectedStatuses.includes(status)) times.record(milliseconds);
  });
  const cpuUsed = target.cpuMicroseconds() - cpuBefore;
  const counts = Object.entries(result.statusCodeStats ?? {});
  const answered = counts.reduce((sum, [, stats]) => sum + (stats.count ?? 0), 0);
  const expected = counts
    .filter(([status]) => expectedStatuses.includes(Number(status)))
    .reduce((sum, [, stats]) => sum + (stats.count ?? 0), 0);
  return {
    // The average is per sample.
    requestsPerSecond: (result.requests.average * 1000) / SETTINGS.sampleIntervalMs,
    cpuPerRequestUs: answered > 0 ? cpuUsed / answered : Number.NaN,
    p50: times.percentile(50),
    p99: times.percentile(99),
    max: times.max(),
    errors: result.errors + (answered - expected),
  };
}

/** A run of autocannon, each response's status and time handed to `onResponse` as it comes. */
function runTimed(
  options: autocannon.Options,
  onResponse: (status: number, milliseconds: number) => void,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) =>
      error ? reject(error) : resolve(result),
    );
    instance.on("response", (_client, status, _bytes, milliseconds) =>
      onResponse(status, milliseconds),
    );
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle)
    ? ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
    : (sorted[Math.floor(middle)] ?? Number.NaN);
}

/**
 * A target's rounds as one measurement: the median rate and CPU per request (a round slowed by
 * the other tenants of a shared host moves a mean, not a median), the mean latencies, the
 * worst maximum and every error.
 */
function combined(measurements: Measurement[]): Measurement {
  const mean = (pick: (m: Measurement) => number) =>
    measurements.reduce((sum, m) => sum + pick(m), 0) / measurements.length;
  return {
    requestsPerSecond: median(measurements.map((m) => m.requestsPerSecond)),
    cpuPerRequestUs: median(measurements.map((m) => m.cpuPerRequestUs)),
    p50: mean((m) => m.p50),
    p99: mean((m) => m.p99),
    max: Math.max(...measurements.map((m) => m.max)),
    errors: measurements.reduce((sum, m) => sum + m.errors, 0),
  };
}

/** How a store's server is run and which scenarios it meets: all of them, by one process, by default. */
interface Variant {
  readonly serverArgs: readonly string[];
  readonly sizes: readonly number[];
  readonly only?: (scenario: string) => boolean;
}

const ONE_PROCESS: Variant = { serverArgs: [], sizes: SETTINGS.sizes };

const WORKERS_STORE = "sqlite, 2 workers";

/** The hot paths again, served by two workers, beside the one-process rows. */
const TWO_WORKERS: Variant = {
  serverArgs: ["--workers", "2"],
  sizes: [1_000],
  only: (scenario) =>
    scenario.startsWith("GET one token") || scenario.startsWith("verify (valid, cached"),
};

async function benchStore(
  store: string,
  databaseUrlFor: (size: number) => Promise<string>,
  baseline: Target,
  variant: Variant = ONE_PROCESS,
  createFloors: readonly Floor[] = [],
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of variant.sizes) {
    const started = performance.now();
    const seeded = await seedStore(await databaseUrlFor(size), size, SETTINGS.deletable);
    log(
      `${store}: seeded ${size.toLocaleString("en")} tokens in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    // As `npm start` runs it: the default log level, its request log going to a file.
    const logFile = join(tmpdir(), `tokenspace-bench-${store}-${size}.log`);
    const subject = await startTarget(
      [...SERVER, ...variant.serverArgs],
      seeded.env,
      "/readyz",
      logFile,
    );
    try {
      for (const scenario of scenarios(seeded).filter(
        (candidate) =>
          (!only || candidate.name.includes(only)) && (variant.only?.(candidate.name) ?? true),
      )) {
        const subjectRuns: Measurement[] = [];
        const baselineRuns: Measurement[] = [];
        // A floor's own store starts empty: the floors are measured beside the smaller store only.
        const floors =
          scenario.name.startsWith(CREATE) && size === variant.sizes[0] ? createFloors : [];
        const floorRuns = floors.map((floor) => ({ floor, runs: [] as Measurement[] }));
        for (let round = 0; round < SETTINGS.rounds; round++) {
          const turns = [
            { target: baseline, runs: baselineRuns, isSubject: false },
            { target: subject, runs: subjectRuns, isSubject: true },
            ...floorRuns.map(({ floor, runs }) => ({
              target: floor.target,
              runs,
              isSubject: false,
            })),
          ];
          // Every other round runs in the reverse order: a host that speeds up or slows down
          // across a round then weighs on the baseline as often as on what it is compared with.
          for (const { target, runs, isSubject } of round % 2 === 0 ? turns : turns.reverse()) {
            runs.push(await measure(target, scenario, isSubject));
          }
        }
        const row = {
          store,
          size,
          scenario: scenario.name,
          subject: combined(subjectRuns),
          baseline: combined(baselineRuns),
          cpuRatio: pairedRatio(baselineRuns, subjectRuns),
          ...(floorRuns.length > 0 && {
            floors: floorRuns.map(({ floor, runs }) => ({
              floor,
              measurement: combined(runs),
              cpuRatio: pairedRatio(baselineRuns, runs),
            })),
          }),
          peakRssMb: subject.peakRssMb(),
        };
        rows.push(row);
        log(formatRow(row));
      }
    } finally {
      await subject.stop();
    }
  }
  return rows;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const fixed = (value: number, digits = 0) => value.toFixed(digits);
/** A CPU ratio: the median of the rounds' ratios, with the lowest and the highest of them. */
interface PairedRatio {
  readonly median: number;
  readonly lowest: number;
  readonly highest: number;
}

/**
 * The baseline's CPU per request over a target's, round by round (each round measures the
 * baseline and the target one right after the other), and the median of those ratios: on a
 * shared host the CPU a request costs moves with what the other tenants do, by as much as half
 * within a minute, and a ratio of runs made seconds apart moves far less than either run. The
 * lowest and highest round show how firmly the median stands against its target.
 */
function pairedRatio(baselineRuns: Measurement[], runs: Measurement[]): PairedRatio {
  const ratios = runs.map(
    (run, round) => (baselineRuns[round]?.cpuPerRequestUs ?? Number.NaN) / run.cpuPerRequestUs,
  );
  return { median: median(ratios), lowest: Math.min(...ratios), highest: Math.max(...ratios) };
}

/** A ratio's rounds, as a target's line shows them after its median (none for a single round). */
function roundsOf({ lowest, highest }: PairedRatio): string {
  return SETTINGS.rounds > 1
    ? ` (rounds ${fixed(lowest * 100, 2)}–${fixed(highest * 100, 2)} %)`
    : "";
}

/**
 * What `row` costs beyond `reference`, in microseconds of CPU per request: the difference of
 * their costs relative to the baseline measured beside each (the reciprocals of their paired
 * ratios), at the baseline's typical cost in the two. Their own CPU figures are measured half a
 * minute apart, and on this host a request's CPU moves by more than the difference in that
 * time: a plain subtraction of them reported −3 µs and +17 µs for the same code.
 */
function extraCpuUs(reference: Row, row: Row): number {
  const baselineUs = (reference.baseline.cpuPerRequestUs + row.baseline.cpuPerRequestUs) / 2;
  return baselineUs * (1 / row.cpuRatio.median - 1 / reference.cpuRatio.median);
}

/** The baseline's CPU per request over Tokenspace's: steadier on a shared host than req/s. */
const ratio = (row: Row) => row.cpuRatio.median;
const throughputRatio = (row: Row) =>
  row.subject.requestsPerSecond / row.baseline.requestsPerSecond;

const HEADER =
  "| store | tokens | scenario | CPU µs/req | baseline CPU µs/req | CPU ratio | req/s | baseline req/s | req/s ratio | p50 ms | p99 ms | max ms | errors | peak RSS MB |";
const RULE =
  "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";

function formatRow(row: Row): string {
  return `| ${row.store} | ${row.size.toLocaleString("en")} | ${row.scenario} | ${fixed(row.subject.cpuPerRequestUs)} | ${fixed(row.baseline.cpuPerRequestUs)} | ${fixed(ratio(row) * 100)} % | ${fixed(row.subject.requestsPerSecond)} | ${fixed(row.baseline.requestsPerSecond)} | ${fixed(throughputRatio(row) * 100)} % | ${fixed(row.subject.p50, 2)} | ${fixed(row.subject.p99, 2)} | ${fixed(row.subject.max)} | ${row.subject.errors} | ${fixed(row.peakRssMb)} |`;
}

/** What the durable create's floors cost, beside Tokenspace's create (reported, no target). */
function floorLines(create: Row): string[] {
  return (create.floors ?? []).map(
    ({ floor, measurement, cpuRatio }) =>
      `- ${create.store}: the durable create's floor at ${create.size.toLocaleString("en")} tokens (${floor.label}: bench/${floor.name}.ts): ${fixed(measurement.cpuPerRequestUs)} µs, baseline / floor ${fixed(cpuRatio.median * 100, 2)} %${roundsOf(cpuRatio)}, against Tokenspace's ${fixed(create.subject.cpuPerRequestUs)} µs (reported, no target)${measurement.errors > 0 ? `; ${measurement.errors} unexpected answers or errors` : ""}`,
  );
}

/** The targets the design aims at, checked against this run. */
function targets(rows: Row[]): string[] {
  const lines: string[] = [];
  const [small, large] = [SETTINGS.sizes[0], SETTINGS.sizes.at(-1)];
  // The workers' rows are compared with the one-process rows below, not held to the targets.
  const stores = new Set(rows.map((row) => row.store).filter((store) => store !== WORKERS_STORE));
  for (const store of stores) {
    const find = (size: number | undefined, scenario: string) =>
      rows.find(
        (row) => row.store === store && row.size === size && row.scenario.startsWith(scenario),
      );
    const check = (
      label: string,
      value: number,
      goal: number,
      higherIsBetter: boolean,
      unit: string,
      rounds = "",
    ) => {
      const met = higherIsBetter ? value >= goal : value <= goal;
      lines.push(
        `- ${store}: ${label}: ${fixed(value, 2)}${unit}${rounds} (target ${higherIsBetter ? "≥" : "≤"} ${goal}${unit}) ${met ? "met" : `missed by ${fixed(Math.abs(value - goal), 2)}${unit}`}`,
      );
    };
    // Judged on CPU per request: the baseline's over Tokenspace's, in the same run.
    const ratioTargets = [
      { scenario: "GET one token", label: "authenticated GET", goal: 70 },
      { scenario: CREATE, label: "durable create", goal: store === "sqlite" ? 30 : 15 },
      { scenario: "GET list page", label: "list page of 50", goal: 25 },
      { scenario: "verify (valid", label: "verify, valid and cached", goal: 80 },
      { scenario: "verify (wrong", label: "verify, wrong token", goal: 70 },
    ];
    for (const size of SETTINGS.sizes) {
      for (const { scenario, label, goal } of ratioTargets) {
        const row = find(size, scenario);
        const where = `${label}, CPU per request, baseline / Tokenspace at ${size.toLocaleString("en")} tokens`;
        if (row) check(where, ratio(row) * 100, goal, true, " %", roundsOf(row.cpuRatio));
      }
      const plain = find(size, "verify (valid, cached");
      const limited = find(size, "verify (valid, with limits");
      if (plain && limited) {
        check(
          `verify's extra CPU per request for a token with a rate limit and uses at ${size.toLocaleString("en")} tokens (each verify's cost against the baseline in its own rounds)`,
          extraCpuUs(plain, limited),
          10,
          false,
          " µs",
        );
      }
      const create = find(size, CREATE);
      if (create) lines.push(...floorLines(create));
      if (store === "postgres" && create) {
        check(
          `durable creates a second at ${size.toLocaleString("en")} tokens`,
          create.subject.requestsPerSecond,
          4000,
          true,
          "",
        );
      }
    }
    const getSmall = find(small, "GET one token");
    const getLarge = find(large, "GET one token");
    if (getSmall && getLarge && small !== large)
      check(
        `p99 of authenticated GET, ${large?.toLocaleString("en")} vs ${small?.toLocaleString("en")} tokens`,
        getLarge.subject.p99 / getSmall.subject.p99,
        1.5,
        false,
        "×",
      );
    const largeRows = rows.filter((row) => row.store === store && row.size === large);
    if (largeRows.length > 0) {
      const rss = Math.max(...largeRows.map((row) => row.peakRssMb));
      check(`peak server RSS with ${large?.toLocaleString("en")} tokens`, rss, 300, false, " MB");
    }
  }
  for (const row of rows.filter((candidate) => candidate.store === WORKERS_STORE)) {
    const alone = rows.find(
      (candidate) =>
        candidate.store === "sqlite" &&
        candidate.size === row.size &&
        candidate.scenario === row.scenario,
    );
    if (!alone) continue;
    lines.push(
      `- 2 workers against 1 (sqlite, ${row.scenario}): ${fixed(row.subject.requestsPerSecond / alone.subject.requestsPerSecond, 2)}× the requests a second, ${fixed(row.subject.cpuPerRequestUs / alone.subject.cpuPerRequestUs, 2)}× the CPU per request (reported, no target: the load generator shares the 2 cores)`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  log(
    `Tokenspace benchmark (${quick ? "quick" : "full"}): ${SETTINGS.connections} connections, ${SETTINGS.durationS} s per run after ${SETTINGS.warmupS} s warm-up (${SETTINGS.startupWarmupS} s before a process's first), ${SETTINGS.rounds} round(s) of baseline and subject per scenario, every other one in reverse order.\n`,
  );
  log(HEADER);
  log(RULE);
  const baseline = await startTarget(await compiledServer("baseline-server"), {}, "/");
  const rows: Row[] = [];
  const directory = mkdtempSync(join(tmpdir(), "tokenspace-bench-"));
  const postgres = await postgresDatabase();
  let postgresVersion = "not reachable: skipped";
  const createFloors: Floor[] = [];
  for (const { name, label } of CREATE_FLOORS) {
    const target = await startTarget(
      await compiledServer(name),
      { DATABASE_URL: `sqlite:${join(directory, `${name}.db`)}` },
      "/",
    );
    createFloors.push({ name, label, target });
  }
  try {
    rows.push(
      ...(await benchStore(
        "sqlite",
        async (size) => `sqlite:${join(directory, `bench-${size}.db`)}`,
        baseline,
        ONE_PROCESS,
        createFloors,
      )),
    );
    // Quick runs prove the harness; the workers' rows are for the real measurement.
    if (!quick) {
      rows.push(
        ...(await benchStore(
          WORKERS_STORE,
          async (size) => `sqlite:${join(directory, `bench-workers-${size}.db`)}`,
          baseline,
          TWO_WORKERS,
        )),
      );
    }
    if (postgres) {
      const client = new pg.Client({ connectionString: postgres.url });
      await client.connect();
      postgresVersion = (await client.query("SHOW server_version")).rows[0].server_version;
      const schemas: string[] = [];
      const urlFor = async (size: number) => {
        const schema = `bench_${size}`;
        await client.query(`CREATE SCHEMA ${schema}`);
        schemas.push(schema);
        return `${postgres.url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      };
      try {
        rows.push(...(await benchStore("postgres", urlFor, baseline)));
      } finally {
        await client.end();
      }
    } else {
      log(`\nPostgreSQL is not reachable at ${POSTGRES_URL}: only SQLite was measured.`);
    }
  } finally {
    await baseline.stop();
    for (const floor of createFloors) await floor.target.stop();
    await postgres?.drop();
    rmSync(directory, { recursive: true, force: true });
  }
  const summary = targets(rows);
  log(`\nTargets:\n${summary.join("\n")}`);
  if (write) writeReport(rows, summary, postgresVersion);
}

function writeReport(rows: Row[], summary: string[], postgresVersion: string): void {
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${fixed(totalmem() / 1024 ** 3)} GiB RAM, Linux, Node ${process.version}, SQLite (better-sqlite3), PostgreSQL ${postgresVersion}`;
  const generated = [
    "<!-- results:start (written by npm run bench; edit outside these markers) -->",
    `Measured on ${new Date().toISOString().slice(0, 10)}: ${machine}.`,
    "",
    `Command: \`npm run bench\` (${SETTINGS.connections} connections, ${SETTINGS.durationS} s per run after ${SETTINGS.warmupS} s warm-up (${SETTINGS.startupWarmupS} s before a process's first), ${SETTINGS.rounds} rounds of baseline and subject per scenario, every other one in reverse order, CPU per request and req/s their medians, a CPU ratio the median of the rounds' ratios (a target's line gives the lowest and highest round); load generated by autocannon in the same machine).`,
    "",
    HEADER,
    RULE,
    ...rows.map(formatRow),
    "",
    "Targets:",
    "",
    ...summary,
    "<!-- results:end -->",
  ].join("\n");
  let report: string;
  try {
    report = readFileSync("BENCHMARKS.md", "utf8");
  } catch {
    report = "# Benchmarks\n\n<!-- results:start -->\n<!-- results:end -->\n";
  }
  const updated = report.replace(/<!-- results:start[\s\S]*?<!-- results:end -->/, generated);
  writeFileSync("BENCHMARKS.md", updated);
  log("\nWrote BENCHMARKS.md");
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

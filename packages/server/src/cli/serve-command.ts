import cluster from "node:cluster";
import type { BootstrapOutcome } from "../runtime/bootstrap.js";
import { loadConfig, type ServerConfig } from "../runtime/config.js";
import { createLoggers } from "../runtime/logger.js";
import { startServer } from "../runtime/server.js";
import { runWorkerPool, type WorkerListening, workerIndex } from "../runtime/worker-pool.js";
import { ClusterCounters } from "../store/cluster-counters.js";
import { redactDatabaseUrl } from "../store/database-url.js";
import { openStore, planStoreMigrations } from "../store/open-store.js";
import { type Flags, print } from "./cli-flags.js";
import { withStore } from "./store-commands.js";

export async function serve(flags: Flags): Promise<void> {
  const config = loadConfig(process.env, {
    port: flags.port,
    host: flags.host,
    databaseUrl: flags["database-url"],
    logLevel: flags["log-level"],
    tls: flags.tls,
    tlsCert: flags["tls-cert"],
    tlsKey: flags["tls-key"],
    mock: flags.mock,
    workers: flags.workers,
  });
  if (config.workers > 1 && cluster.isPrimary) {
    return runWorkerPool(config.workers, createLoggers(config.logLevel).logger);
  }
  const worker = workerIndex();
  const server = await startServer(
    config,
    worker === undefined ? {} : { workerCounters: new ClusterCounters() },
  );
  // Before the server says it is up: whoever reads that (a supervisor, a script) may stop it
  // that very moment, and a SIGTERM nothing listens for ends the process where it stands, its
  // store never closed.
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // A worker whose primary is gone stops too, rather than serve on alone.
  if (worker !== undefined) process.once("disconnect", stop);
  // Of several workers, the first speaks for them all: it is the one that made what is shown.
  if (!worker) {
    if (server.tls?.caFile) process.stderr.write(trustBanner(server.tls.caFile));
    if (config.mock) process.stderr.write(MOCK_BANNER);
    if (server.bootstrap) process.stderr.write(bootstrapBanner(server.bootstrap, server.url));
  }
  const listening = {
    url: server.url,
    database: redactDatabaseUrl(config.databaseUrl),
    bootstrapTokenPrinted: server.bootstrap?.generatedToken !== undefined,
    mode: config.mock ? "mock" : "standard",
  };
  if (worker === undefined) {
    server.app.log.info(listening, "Tokenspace is listening");
    // Whoever waits for this line (an operator, a supervisor, a script) gets it now, not with
    // the next batch of log lines up to 100 ms later.
    server.flushLogs();
  } else {
    server.app.log.info({ ...listening, worker }, "worker listening");
    const told: WorkerListening = {
      type: "tokenspace:listening",
      url: server.url,
      bootstrapTokenPrinted: listening.bootstrapTokenPrinted,
    };
    process.send?.(told);
  }
}

/**
 * Opening the store applies its migrations; nodes starting later find nothing to do. With
 * `--finish`, also the steps that wait until every node runs this code (after a rolling upgrade).
 */
export async function migrate(flags: Flags): Promise<void> {
  const config = loadConfig(process.env, { databaseUrl: flags["database-url"] });
  if (flags["dry-run"]) return showMigrationPlan(flags, config);
  if (flags.finish) return finishUpgrade(flags, config);
  await withStore(flags, async () => undefined);
  print(
    flags,
    { migrated: true },
    `Migrations applied to ${redactDatabaseUrl(config.databaseUrl)}`,
  );
}

/** `migrate --finish`: every node runs this code, so the steps awaiting that are taken. */
async function finishUpgrade(flags: Flags, config: ServerConfig): Promise<void> {
  const finished = (await planStoreMigrations(config.databaseUrl, config.postgres)).awaitingFinish;
  const { store } = await openStore(config.databaseUrl, config.postgres, { finishUpgrade: true });
  await store.close();
  const where = redactDatabaseUrl(config.databaseUrl);
  print(
    flags,
    { migrated: true, finished: finished.map(({ version, name }) => ({ version, name })) },
    finished.length === 0
      ? `Migrations applied to ${where}; no step was waiting for the upgrade to finish.`
      : [
          `Migrations applied to ${where}, with the steps that waited for every node to run this release:`,
          ...finished.map((step) => `  ${step.version}  ${step.name}`),
          "Older releases now refuse this database. Restart the nodes, in any order, for them to act on it.",
        ].join("\n"),
  );
}

const MOCK_BANNER =
  "\n  MOCK MODE: a test double for CI, not for production. Any unknown project id is provisioned with the token it is shown, and /__mock__/ serves the journal and scenarios.\n\n";

/** `migrate --dry-run`: what would run, and whether a newer node already migrated further. */
async function showMigrationPlan(flags: Flags, config: ServerConfig): Promise<void> {
  const finishing = { finishUpgrade: flags.finish === true };
  const plan = await planStoreMigrations(config.databaseUrl, config.postgres, finishing);
  const steps = plan.pending.map((step) => ({ version: step.version, name: step.name }));
  const awaiting = plan.awaitingFinish.map((step) => ({ version: step.version, name: step.name }));
  const ahead = plan.ahead.map((step) => ({
    version: step.version,
    name: step.name,
    breaks_older_code: step.breaksOlderCode,
  }));
  const lines = [
    steps.length === 0
      ? `Nothing to migrate in ${redactDatabaseUrl(config.databaseUrl)}.`
      : `Would apply to ${redactDatabaseUrl(config.databaseUrl)}:`,
    ...steps.map((step) => `  ${step.version}  ${step.name}`),
    ...(awaiting.length > 0
      ? [
          "Waiting until every node runs this release (then: tokenspace migrate --finish):",
          ...awaiting.map((step) => `  ${step.version}  ${step.name}`),
        ]
      : []),
    ...(ahead.length > 0
      ? [
          `The database is ahead of this code (which knows versions up to ${plan.newestKnown}):`,
          ...ahead.map(
            (step) =>
              `  ${step.version}  ${step.name}${step.breaks_older_code ? "  (this code cannot run on it)" : "  (expand-only: this code runs on it)"}`,
          ),
        ]
      : []),
  ];
  print(
    flags,
    { pending: steps, awaiting_finish: awaiting, ahead, newest_known: plan.newestKnown },
    lines.join("\n"),
  );
}

/** Where the local CA is, and the one line each ecosystem needs to trust it. */
function trustBanner(caFile: string): string {
  return [
    "",
    "  Tokenspace serves HTTPS with a certificate from its local CA:",
    `    ${caFile}`,
    "",
    "  Trust it in the clients that call this server:",
    `    Node.js                export NODE_EXTRA_CA_CERTS=${caFile}`,
    `    Python (requests)      export REQUESTS_CA_BUNDLE=${caFile}`,
    `    OpenSSL-based tools    export SSL_CERT_FILE=${caFile}`,
    `    curl                   curl --cacert ${caFile} ...`,
    "",
    "",
  ].join("\n");
}

function bootstrapBanner(outcome: BootstrapOutcome, url: string): string {
  const { project, generatedToken } = outcome;
  if (!generatedToken) {
    return `\nTokenspace: bootstrap project ${project.id} is ready (token from TOKENSPACE_BOOTSTRAP_TOKEN).\n\n`;
  }
  return [
    "",
    "  Tokenspace created its first project and an API token with every permission.",
    "  The token is printed this once: keep it somewhere safe.",
    "",
    `    Project ID   ${project.id}`,
    `    API token    ${generatedToken.token}`,
    "",
    "  Try it:",
    `    curl -u ${project.id}:${generatedToken.token} \\`,
    `      ${url}/api/laml/2010-04-01/Accounts/${project.id}/tokens`,
    "",
    `  Or sign in to the admin console with both: ${url}/console`,
    "",
    "",
  ].join("\n");
}

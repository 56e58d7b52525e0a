import { parseArgs } from "node:util";
import type { BootstrapOutcome } from "./bootstrap.js";
import { ConfigError, loadConfig } from "./config.js";
import { NotFoundError, TokenspaceError } from "./domain/errors.js";
import { startServer } from "./server.js";
import { DatabaseUrlError, redactDatabaseUrl } from "./store/database-url.js";
import { StoreUnavailableError } from "./store/store.js";
import { openTokenspace } from "./tokenspace.js";

const USAGE = `Usage: tokenspace <command> [options]

Commands:
  serve                      Run the HTTP server (what npm start runs)
  migrate                    Apply pending database migrations, then exit
  projects create NAME       Create a top-level project
  projects list              List projects and subprojects
  subprojects create --parent ID NAME
                             Create a subproject of a top-level project
  tokens create              Create an API token directly in the store
      --project ID --name NAME --permissions calling,fax,...

Options:
  --database-url URL   Store to use (env DATABASE_URL; default sqlite:./data/tokenspace.db)
  --port N             serve: port to listen on (env PORT; default 8080)
  --host HOST          serve: address to listen on (env HOST; default 127.0.0.1)
  --log-level LEVEL    serve: fatal, error, warn, info, debug, trace or silent (env LOG_LEVEL)
  --json               Print the result as JSON, for scripts
  --help               Show this help
`;

class UsageError extends Error {}

const OPTIONS = {
  "database-url": { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  "log-level": { type: "string" },
  project: { type: "string" },
  name: { type: "string" },
  permissions: { type: "string" },
  parent: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

type Flags = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>["values"];

async function main(argv: string[]): Promise<void> {
  const { values: flags, positionals } = parseArgs({
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
  });
  const [command, subcommand, ...rest] = positionals;
  if (flags.help || command === undefined || command === "help") {
    process.stdout.write(USAGE);
    return;
  }
  if (command === "serve") return serve(flags);
  if (command === "migrate") return migrate(flags);
  if (command === "projects" && subcommand === "create")
    return createProject(flags, rest.join(" "));
  if (command === "projects" && subcommand === "list") return listProjects(flags);
  if (command === "subprojects" && subcommand === "create") {
    return createSubproject(flags, rest.join(" "));
  }
  if (command === "tokens" && subcommand === "create") return createToken(flags);
  throw new UsageError(`Unknown command "${positionals.join(" ")}".`);
}

async function serve(flags: Flags): Promise<void> {
  const config = loadConfig(process.env, {
    port: flags.port,
    host: flags.host,
    databaseUrl: flags["database-url"],
    logLevel: flags["log-level"],
  });
  const server = await startServer(config);
  if (server.bootstrap) process.stderr.write(bootstrapBanner(server.bootstrap, server.url));
  server.app.log.info(
    {
      url: server.url,
      database: redactDatabaseUrl(config.databaseUrl),
      bootstrapTokenPrinted: server.bootstrap?.generatedToken !== undefined,
    },
    "Tokenspace is listening",
  );
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

async function migrate(flags: Flags): Promise<void> {
  const config = loadConfig(process.env, { databaseUrl: flags["database-url"] });
  await withStore(flags, async () => undefined);
  print(
    flags,
    { migrated: true },
    `Migrations applied to ${redactDatabaseUrl(config.databaseUrl)}`,
  );
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
    "",
  ].join("\n");
}

async function withStore<T>(
  flags: Flags,
  work: (tokenspace: Awaited<ReturnType<typeof openTokenspace>>) => Promise<T>,
) {
  const config = loadConfig(process.env, { databaseUrl: flags["database-url"] });
  const tokenspace = await openTokenspace(config);
  try {
    return await work(tokenspace);
  } finally {
    await tokenspace.close();
  }
}

async function createProject(flags: Flags, name: string): Promise<void> {
  if (name === "") throw new UsageError("Give the project a name: tokenspace projects create NAME");
  const project = await withStore(flags, (tokenspace) => tokenspace.projects.create(name));
  print(
    flags,
    { id: project.id, friendly_name: project.friendlyName },
    `Created project ${project.id} (${project.friendlyName})`,
  );
}

async function createSubproject(flags: Flags, name: string): Promise<void> {
  const { parent } = flags;
  if (!parent || name === "") {
    throw new UsageError(
      "Name the parent and the subproject: tokenspace subprojects create --parent ID NAME",
    );
  }
  const subproject = await withStore(flags, (tokenspace) =>
    tokenspace.projects.createSubproject(parent, name),
  );
  print(
    flags,
    { id: subproject.id, friendly_name: subproject.friendlyName, parent_id: subproject.parentId },
    `Created subproject ${subproject.id} (${subproject.friendlyName}) of ${subproject.parentId}`,
  );
}

async function listProjects(flags: Flags): Promise<void> {
  const projects = await withStore(flags, (tokenspace) => tokenspace.projects.list());
  const rows = projects.map((project) => ({
    id: project.id,
    friendly_name: project.friendlyName,
    parent_id: project.parentId,
  }));
  print(
    flags,
    rows,
    rows
      .map(
        (row) =>
          `${row.id}  ${row.friendly_name}${row.parent_id ? `  (subproject of ${row.parent_id})` : ""}`,
      )
      .join("\n"),
  );
}

async function createToken(flags: Flags): Promise<void> {
  const { project, name, permissions } = flags;
  if (!project || name === undefined || permissions === undefined) {
    throw new UsageError("tokens create needs --project ID --name NAME --permissions a,b,...");
  }
  const token = await withStore(flags, async (tokenspace) => {
    const owner = await tokenspace.projects.find(project);
    if (!owner) throw new NotFoundError(`No project ${project} exists in this store.`);
    return tokenspace.tokens.create(owner.id, {
      name,
      permissions: permissions
        .split(",")
        .map((permission) => permission.trim())
        .filter(Boolean),
    });
  });
  print(
    flags,
    token,
    [
      `Created token ${token.id} (${token.name}): ${token.permissions.join(", ")}`,
      `API token: ${token.token}`,
    ].join("\n"),
  );
}

function print(flags: Flags, value: unknown, human: string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (
    error instanceof UsageError ||
    (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
  ) {
    process.stderr.write(`tokenspace: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (
    error instanceof ConfigError ||
    error instanceof DatabaseUrlError ||
    error instanceof TokenspaceError ||
    error instanceof StoreUnavailableError
  ) {
    process.stderr.write(`tokenspace: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `tokenspace: unexpected failure: ${(error as Error).stack ?? String(error)}\n`,
  );
  process.exit(1);
});

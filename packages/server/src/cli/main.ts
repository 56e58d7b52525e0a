import { parseArgs } from "node:util";
import { TokenspaceError, UsageError } from "../domain/errors.js";
import { OPTIONS, USAGE } from "./cli-flags.js";
import {
  changeLifecycle,
  rerollToken,
  showAudit,
  showExpiringTokens,
  showToken,
} from "./lifecycle-commands.js";
import {
  createTokenRemotely,
  deleteTokenRemotely,
  isRemote,
  listTokensRemotely,
  updateTokenRemotely,
} from "./remote-commands.js";
import { rotateServerKey } from "./rotate-key-command.js";
import {
  createProject,
  createSubproject,
  createTokenInStore,
  listProjects,
} from "./store-commands.js";

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function main(argv: string[]): Promise<void> {
  const { values: flags, positionals } = parseCommandLine(argv);
  const [command, subcommand, ...rest] = positionals;
  const name = rest.join(" ");
  if (flags.help || command === undefined || command === "help") {
    process.stdout.write(USAGE);
    return;
  }
  switch (`${command} ${subcommand ?? ""}`.trim()) {
    // The server (Fastify and the rest) loads only for the commands that run one.
    case "serve":
      return (await import("./serve-command.js")).serve(flags);
    case "migrate":
      return (await import("./serve-command.js")).migrate(flags);
    case "rotate-key":
      return rotateServerKey(flags);
    case "projects create":
      return createProject(flags, name);
    case "projects list":
      return listProjects(flags);
    case "subprojects create":
      return createSubproject(flags, name);
    case "audit":
      return showAudit(flags);
    case "tokens expiring":
      return showExpiringTokens(flags);
    case "tokens show":
      return remoteOnly(flags, () => showToken(flags, rest[0]));
    case "tokens disable":
      return remoteOnly(flags, () => changeLifecycle(flags, rest[0], "disable"));
    case "tokens enable":
      return remoteOnly(flags, () => changeLifecycle(flags, rest[0], "enable"));
    case "tokens expire":
      return remoteOnly(flags, () => changeLifecycle(flags, rest[0], "expire"));
    case "tokens reroll":
      return remoteOnly(flags, () => rerollToken(flags, rest[0]));
    case "tokens create":
      return isRemote(flags) ? createTokenRemotely(flags) : createTokenInStore(flags);
    case "tokens list":
      return remoteOnly(flags, () => listTokensRemotely(flags));
    case "tokens update":
      return remoteOnly(flags, () => updateTokenRemotely(flags, rest[0]));
    case "tokens delete":
      return remoteOnly(flags, () => deleteTokenRemotely(flags, rest[0]));
  }
  throw new UsageError(`Unknown command "${positionals.join(" ")}".`);
}

function remoteOnly(flags: Parameters<typeof isRemote>[0], run: () => Promise<void>) {
  if (!isRemote(flags)) {
    throw new UsageError(
      "This command works on a running server: give --url URL (or set TOKENSPACE_URL).",
    );
  }
  return run();
}

/** Expected failures are Tokenspace's own errors: one line, no stack. Anything else is a bug. */
main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`tokenspace: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (error instanceof TokenspaceError) {
    process.stderr.write(`tokenspace: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `tokenspace: unexpected failure: ${(error as Error).stack ?? String(error)}\n`,
  );
  process.exit(1);
});

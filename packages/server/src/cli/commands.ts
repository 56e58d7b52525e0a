import type { FlagName, Flags } from "./cli-flags.js";
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
  remoteOnly,
  updateTokenRemotely,
} from "./remote-commands.js";
import { rotateServerKey } from "./rotate-key-command.js";
import {
  createProject,
  createSubproject,
  createTokenInStore,
  listFailedWebhooks,
  listProjects,
} from "./store-commands.js";
import { setLimits, showTokenUsage, showUsage } from "./usage-commands.js";

export type Section =
  | "Server"
  | "On the store"
  | "On the store or a running server"
  | "On a running server";

export interface Command {
  /** The words that name it, e.g. "tokens create". */
  readonly name: string;
  /** What follows the name, one line per form of the command. */
  readonly usage: readonly string[];
  readonly summary: string;
  readonly section: Section;
  readonly flags: readonly FlagName[];
  /** Settings read from the environment that no flag gives. */
  readonly environment?: readonly (readonly [variable: string, text: string])[];
  /** Runs the command with the words that followed its name. */
  readonly run: (flags: Flags, words: string[]) => Promise<void>;
}

const STORE: readonly FlagName[] = ["database-url"];
const REMOTE: readonly FlagName[] = ["url", "project", "token"];

/** What `tokenspace serve` reads from the environment beyond its flags (README, Configuration). */
const SERVE_ENVIRONMENT: Command["environment"] = [
  ["TOKENSPACE_SECRET_KEY", "The server key, 64 hex characters; required on PostgreSQL"],
  ["TOKENSPACE_BOOTSTRAP_PROJECT_ID", "With the next: fix the first project's id…"],
  ["TOKENSPACE_BOOTSTRAP_TOKEN", "…and its token (PT + 48 hex)"],
  ["TOKENSPACE_TLS_HOSTS", "More names for the self-signed certificate"],
  ["TOKENSPACE_TLS_DIR", "Where the local CA lives"],
  ["TOKENSPACE_TRUST_PROXY", "true, a hop count or proxy addresses: trust X-Forwarded-For"],
  ["TOKENSPACE_RATE_LIMIT_PER_MINUTE", "API requests a minute per project (0: off)"],
  ["TOKENSPACE_AUTH_FAILURES_PER_MINUTE", "Failed authentications a minute per address (30)"],
  ["TOKENSPACE_REDIS_URL", "Keep the budgets' and rate limits' counts in Redis"],
  ["TOKENSPACE_AUTH_CACHE_TTL_MS", "How long a verified credential is trusted (500)"],
  ["TOKENSPACE_AUTH_CACHE_MAX_ENTRIES", "Most credentials kept verified (10000)"],
  ["TOKENSPACE_HEADERS_TIMEOUT_MS", "Headers must arrive within this (10000)"],
  ["TOKENSPACE_REQUEST_TIMEOUT_MS", "A whole request must arrive within this (30000)"],
  ["TOKENSPACE_METRICS", "1: Prometheus metrics at /metrics"],
  ["TOKENSPACE_METRICS_PORT", "Serve /metrics on this port only"],
  ["TOKENSPACE_VERIFY_RULES", "Rules file for /auth/verify"],
  ["TOKENSPACE_AUDIT_RETENTION_DAYS", "Audit entries kept this long (365)"],
  ["TOKENSPACE_KEY_ROTATION_POLL_MS", "How often to look for a key rotation (1000)"],
  ["TOKENSPACE_FIXTURES", "Mock mode: a JSON file of the projects and tokens to start with"],
  ["TOKENSPACE_WEBHOOK_URL", "Where lifecycle events are POSTed…"],
  ["TOKENSPACE_WEBHOOK_SECRET", "…signed with this secret"],
  ["TOKENSPACE_WEBHOOK_RETRY_BASE_MS", "The first retry's wait (1000)"],
  ["TOKENSPACE_PG_POOL_SIZE", "PostgreSQL connections per node (10)"],
  ["TOKENSPACE_PG_STATEMENT_TIMEOUT_MS", "Longest statement (5000)"],
  ["TOKENSPACE_PG_CONNECT_TIMEOUT_MS", "Longest wait for a connection (2000)"],
];

/** `tokens VERB TOKEN_ID…`: one token, through a running server's API. */
function remoteTokenCommand(
  verb: string,
  after: string,
  summary: string,
  flags: readonly FlagName[],
  run: (flags: Flags, tokenId: string | undefined) => Promise<void>,
): Command {
  return {
    name: `tokens ${verb}`,
    usage: [`TOKEN_ID${after}`],
    summary,
    section: "On a running server",
    flags: [...flags, ...REMOTE, "json"],
    run: (given, [id]) => remoteOnly(given, () => run(given, id)),
  };
}

/** A command on the store DATABASE_URL names, for operator set-up and recovery. */
function storeCommand(
  name: string,
  usage: string,
  summary: string,
  flags: readonly FlagName[],
  run: Command["run"],
): Command {
  return {
    name,
    usage: [usage],
    summary,
    section: "On the store",
    flags: [...flags, ...STORE, "json"],
    run,
  };
}

/** Every command, in the order the overview lists them. */
export const COMMANDS: readonly Command[] = [
  {
    name: "serve",
    usage: [
      "[--port N] [--host HOST] [--database-url URL] [--tls self-signed] [--workers N] [--mock]",
    ],
    summary: "Run the HTTP server (what npm start runs); SIGTERM or SIGINT stops it cleanly",
    section: "Server",
    flags: ["port", "host", ...STORE, "log-level", "tls", "tls-cert", "tls-key", "workers", "mock"],
    environment: SERVE_ENVIRONMENT,
    // The server (Fastify and the rest) loads only for the commands that run one.
    run: async (flags) => (await import("./serve-command.js")).serve(flags),
  },
  {
    name: "migrate",
    usage: ["[--database-url URL] [--dry-run] [--finish]"],
    summary:
      "Apply pending database migrations, then exit (--dry-run: list them; --finish: after a rolling upgrade)",
    section: "Server",
    flags: ["dry-run", "finish", ...STORE, "json"],
    run: async (flags) => (await import("./serve-command.js")).migrate(flags),
  },
  {
    name: "rotate-key",
    usage: ["--new-key-file FILE [--batch-size N] [--settle-ms N] [--pause-ms N]"],
    summary:
      "Re-seal every secret under a new server key while servers keep serving; run it again to resume",
    section: "Server",
    flags: ["new-key-file", "batch-size", "settle-ms", "pause-ms", ...STORE, "json"],
    environment: [["TOKENSPACE_SECRET_KEY", "The current server key, unless a key file holds it"]],
    run: (flags) => rotateServerKey(flags),
  },
  {
    name: "backup",
    usage: ["--out DIR [--force]"],
    summary:
      "A consistent copy of the SQLite database and its key file, taken while servers serve (PostgreSQL: prints the pg_dump command)",
    section: "Server",
    flags: ["out", "force", ...STORE, "json"],
    run: async (flags) => (await import("./backup-commands.js")).backup(flags),
  },
  {
    name: "restore",
    usage: ["--from DIR [--force]"],
    summary:
      "Put a backup in the place DATABASE_URL names, after checking its integrity, schema and key; servers stopped",
    section: "Server",
    flags: ["from", "force", ...STORE, "json"],
    environment: [
      ["TOKENSPACE_SECRET_KEY", "The key the backup is sealed under, if it holds no key file"],
    ],
    run: async (flags) => (await import("./backup-commands.js")).restore(flags),
  },
  storeCommand("projects create", "NAME", "Create a top-level project", [], (flags, words) =>
    createProject(flags, words.join(" ")),
  ),
  storeCommand("projects list", "", "List projects and subprojects", [], (flags) =>
    listProjects(flags),
  ),
  storeCommand(
    "webhooks failed",
    "",
    "Webhook deliveries given up on after the whole retry schedule (about 27 hours)",
    [],
    (flags) => listFailedWebhooks(flags),
  ),
  storeCommand(
    "subprojects create",
    "--parent ID NAME",
    "Create a subproject of a top-level project",
    ["parent"],
    (flags, words) => createSubproject(flags, words.join(" ")),
  ),
  {
    name: "tokens create",
    usage: [
      "--project ID --name NAME --permissions LIST",
      "--url URL --name NAME --permissions LIST",
    ],
    summary: "Create an API token, on the store or (with --url) through a running server",
    section: "On the store or a running server",
    flags: ["name", "permissions", ...STORE, ...REMOTE, "json"],
    run: (flags) => (isRemote(flags) ? createTokenRemotely(flags) : createTokenInStore(flags)),
  },
  {
    name: "audit",
    usage: ["--project ID [--since 24h] [--until TIME] [--action ACTION] [--target ID]"],
    summary: "The audit log of a project and its subprojects, oldest first",
    section: "On the store or a running server",
    flags: ["since", "until", "action", "target", ...STORE, ...REMOTE, "json"],
    run: (flags) => showAudit(flags),
  },
  {
    name: "tokens expiring",
    usage: ["--project ID [--within 7d]"],
    summary: "Tokens that expire between now and then",
    section: "On the store or a running server",
    flags: ["within", ...STORE, ...REMOTE, "json"],
    run: (flags) => showExpiringTokens(flags),
  },
  {
    name: "tokens list",
    usage: ["--url URL"],
    summary: "List the project's tokens",
    section: "On a running server",
    flags: [...REMOTE, "json"],
    run: (flags) => remoteOnly(flags, () => listTokensRemotely(flags)),
  },
  remoteTokenCommand(
    "show",
    "",
    "A token with its state: enabled, expiry, last use",
    [],
    showToken,
  ),
  remoteTokenCommand(
    "update",
    " [--name NAME] [--permissions LIST]",
    "Rename a token or replace its permissions",
    ["name", "permissions"],
    updateTokenRemotely,
  ),
  remoteTokenCommand(
    "delete",
    "",
    "Delete a token; it stops authenticating at once",
    [],
    deleteTokenRemotely,
  ),
  remoteTokenCommand("disable", "", "Refuse the token until it is enabled again", [], (flags, id) =>
    changeLifecycle(flags, id, "disable"),
  ),
  remoteTokenCommand("enable", "", "Accept a disabled token again", [], (flags, id) =>
    changeLifecycle(flags, id, "enable"),
  ),
  remoteTokenCommand(
    "expire",
    " --at TIME|never",
    "Set (RFC 3339) or remove the token's expiry",
    ["at"],
    (flags, id) => changeLifecycle(flags, id, "expire"),
  ),
  remoteTokenCommand(
    "limit",
    " [--rate N/WINDOW|none] [--uses N|unlimited] [--refill N/EVERY|none]",
    "Set or remove the token's rate limit, uses and refill, enforced by /auth/verify",
    ["rate", "uses", "refill"],
    setLimits,
  ),
  remoteTokenCommand(
    "usage",
    " [--since 7d] [--granularity hour]",
    "The token's verifications, allowed and refused, by the minute, hour or day",
    ["since", "granularity"],
    showTokenUsage,
  ),
  {
    name: "usage",
    usage: ["--url URL [--since 7d] [--granularity hour]"],
    summary: "Verifications of every token of the project and its subprojects",
    section: "On a running server",
    flags: ["since", "granularity", ...REMOTE, "json"],
    run: (flags) => remoteOnly(flags, () => showUsage(flags)),
  },
  remoteTokenCommand(
    "reroll",
    " [--overlap 1h]",
    "A new secret; the old one keeps working for the overlap",
    ["overlap"],
    rerollToken,
  ),
];

/** The command the words name, and the words after its name. */
export function findCommand(
  words: readonly string[],
): { command: Command; rest: string[] } | undefined {
  for (const command of COMMANDS) {
    const name = command.name.split(" ");
    if (name.every((word, index) => words[index] === word)) {
      return { command, rest: words.slice(name.length) };
    }
  }
  return undefined;
}

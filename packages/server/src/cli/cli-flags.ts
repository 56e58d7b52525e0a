import type { parseArgs } from "node:util";

export const USAGE = `Usage: tokenspace <command> [options]

Server:
  serve                      Run the HTTP server (what npm start runs)
  migrate                    Apply pending database migrations, then exit
  rotate-key --new-key-file FILE [--batch-size N]
                             Re-seal every secret under a new server key while servers
                             keep serving (or TOKENSPACE_NEW_SECRET_KEY); resumable

On the store (DATABASE_URL), for operator set-up and recovery:
  projects create NAME       Create a top-level project
  projects list              List projects and subprojects
  subprojects create --parent ID NAME
                             Create a subproject of a top-level project
  tokens create --project ID --name NAME --permissions calling,fax,...
                             Create an API token

On the store with --project ID, or on a running server with --url:
  audit [--since 24h] [--until TIME] [--action token.deleted] [--target ID]
                             The audit log of a project and its subprojects, oldest first
                             (times as RFC 3339 or how long ago: 90s, 30m, 12h, 7d)
  tokens expiring [--within 7d]
                             Tokens that expire between now and then

On a running server, through the API (with --url, or TOKENSPACE_URL set):
  tokens list
  tokens create --name NAME --permissions calling,fax,...
  tokens update TOKEN_ID [--name NAME] [--permissions a,b]
  tokens delete TOKEN_ID
  tokens show TOKEN_ID       Enabled, expiry, last use
  tokens disable TOKEN_ID | tokens enable TOKEN_ID
  tokens expire TOKEN_ID --at TIME|never
                             Set (RFC 3339) or remove the expiry
  tokens reroll TOKEN_ID [--overlap 1h]
                             A new secret; the old one keeps working for the overlap (≤ 7d)
      --url URL          The server (env TOKENSPACE_URL), e.g. http://127.0.0.1:8080
      --project ID       Your project id (env TOKENSPACE_PROJECT_ID)
      --token TOKEN      An API token with management (env TOKENSPACE_TOKEN)

Options:
  --database-url URL   Store to use (env DATABASE_URL; default sqlite:./data/tokenspace.db)
  --port N             serve: port to listen on (env PORT; default 8080)
  --host HOST          serve: address to listen on (env HOST; default 127.0.0.1)
  --log-level LEVEL    serve: fatal, error, warn, info, debug, trace or silent (env LOG_LEVEL)
  --tls self-signed    serve: HTTPS with a certificate from a local CA made beside the
                       database (env TOKENSPACE_TLS; more names in TOKENSPACE_TLS_HOSTS)
  --tls-cert FILE      serve: HTTPS with this PEM certificate (env TOKENSPACE_TLS_CERT)
  --tls-key FILE       serve: ... and this PEM private key (env TOKENSPACE_TLS_KEY)
  --json               Print the result as JSON, for scripts
  --help               Show this help
`;

/** Options that take a value. */
const VALUED = [
  "database-url",
  "port",
  "host",
  "log-level",
  "tls",
  "new-key-file",
  "batch-size",
  "tls-cert",
  "tls-key",
  "project",
  "name",
  "permissions",
  "parent",
  "url",
  "token",
  "since",
  "until",
  "action",
  "target",
  "within",
  "at",
  "overlap",
] as const;

export const OPTIONS = {
  ...(Object.fromEntries(VALUED.map((name) => [name, { type: "string" }])) as Record<
    (typeof VALUED)[number],
    { type: "string" }
  >),
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

export type Flags = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>["values"];

/** `--permissions a,b` as a list. */
export function permissionList(value: string): string[] {
  return value
    .split(",")
    .map((permission) => permission.trim())
    .filter(Boolean);
}

/** Prints a result as JSON with --json, otherwise as the human text. */
export function print(flags: Flags, value: unknown, human: string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);
}

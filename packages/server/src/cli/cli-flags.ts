import type { parseArgs } from "node:util";
import { PERMISSIONS } from "@tokenspace/contract";

interface FlagSpec {
  /** What the value stands for in usage text; a flag without one is a switch. */
  readonly value?: string;
  /** The environment variable that gives the same setting when the flag is absent. */
  readonly env?: string;
  readonly short?: string;
  readonly text: string;
}

/** Every flag the CLI takes, described once for parsing, the overview and each command's help. */
export const FLAGS = {
  "database-url": {
    value: "URL",
    env: "DATABASE_URL",
    text: "Store to use: sqlite:PATH, sqlite::memory: or postgres://… (default sqlite:./data/tokenspace.db)",
  },
  port: { value: "N", env: "PORT", text: "Port to listen on (default 8080; 0 picks a free one)" },
  host: {
    value: "HOST",
    env: "HOST",
    text: "Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)",
  },
  "log-level": {
    value: "LEVEL",
    env: "LOG_LEVEL",
    text: "fatal, error, warn, info (default), debug, trace or silent",
  },
  tls: {
    value: "self-signed",
    env: "TOKENSPACE_TLS",
    text: "HTTPS with a certificate from a local CA made beside the database",
  },
  "tls-cert": {
    value: "FILE",
    env: "TOKENSPACE_TLS_CERT",
    text: "HTTPS with this PEM certificate (chain)…",
  },
  "tls-key": { value: "FILE", env: "TOKENSPACE_TLS_KEY", text: "…and this PEM private key" },
  "new-key-file": {
    value: "FILE",
    env: "TOKENSPACE_NEW_SECRET_KEY",
    text: "The new server key: a file of 64 hex characters, mode 0600 (the variable holds the key itself)",
  },
  "batch-size": {
    value: "N",
    text: "Tokens read at a time; progress is recorded after each batch (default 500)",
  },
  "settle-ms": {
    value: "N",
    text: "How long to wait for every node to learn the new key before sealing under it (default 5000; keep it at least five times the nodes' TOKENSPACE_KEY_ROTATION_POLL_MS)",
  },
  "pause-ms": {
    value: "N",
    text: "How long to wait after each batch, leaving a busy database room for its other work (default 0)",
  },
  url: {
    value: "URL",
    env: "TOKENSPACE_URL",
    text: "A running server, e.g. http://127.0.0.1:8080: work through its API",
  },
  project: { value: "ID", env: "TOKENSPACE_PROJECT_ID", text: "The project to act on" },
  token: {
    value: "TOKEN",
    env: "TOKENSPACE_TOKEN",
    text: "An API token of that project with the management permission (with --url)",
  },
  name: { value: "NAME", text: "The token's name" },
  permissions: {
    value: "LIST",
    text: `Comma-separated: ${PERMISSIONS.join(", ")}`,
  },
  parent: { value: "ID", text: "The top-level project the subproject belongs to" },
  since: {
    value: "TIME",
    text: "From this time: RFC 3339, or how long ago (90s, 30m, 12h, 7d; default 24h for audit, 7d for usage)",
  },
  until: { value: "TIME", text: "Up to this time, in the same forms" },
  action: { value: "ACTION", text: "Only this action, e.g. token.deleted" },
  target: { value: "ID", text: "Only entries about this token or project" },
  within: { value: "DURATION", text: "How far ahead to look (default 7d)" },
  at: { value: "TIME|never", text: "The expiry as RFC 3339, or never to remove it" },
  overlap: {
    value: "DURATION",
    text: "How long the old secret keeps working (default 0, at most 7d)",
  },
  rate: {
    value: "N/WINDOW|none",
    text: "Allowed verifications per window, such as 100/1m (window 1s to 1d); none removes it",
  },
  uses: {
    value: "N|unlimited",
    text: "Verifications left; each allowed one spends one",
  },
  refill: {
    value: "N/EVERY|none",
    text: "Set the uses back to N every EVERY, such as 1000/30d; none removes it",
  },
  granularity: { value: "minute|hour|day", text: "Bucket size (default hour)" },
  workers: {
    value: "N",
    env: "TOKENSPACE_WORKERS",
    text: "Serve the one port from N processes (default 1), for more than one core",
  },
  mock: {
    env: "TOKENSPACE_MOCK",
    text: "Run as a test double for CI: SignalWire's mock control API under /__mock__/, and harness projects provisioned on first use (env value 1)",
  },
  out: { value: "DIR", text: "The directory to write the backup to (made 0700)" },
  from: { value: "DIR", text: "A directory tokenspace backup wrote" },
  force: { text: "Overwrite a backup there, or replace a database that holds data" },
  "dry-run": { text: "List what would run, and change nothing" },
  finish: {
    text: "Also take the steps that wait until every node runs this release: run it once the last node of a rolling upgrade is upgraded",
  },
  json: { text: "Print the result as JSON, for scripts" },
  help: { short: "h", text: "Show help: the overview, or with a command that command's" },
  version: { short: "v", text: "Print the version" },
} as const satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;

type Options = {
  [Name in FlagName]: (typeof FLAGS)[Name] extends { value: string }
    ? { type: "string" }
    : { type: "boolean"; short?: string; default: false };
};

/** The flags as node:util parseArgs options. */
export const OPTIONS = Object.fromEntries(
  Object.entries(FLAGS).map(([name, spec]: [string, FlagSpec]) => [
    name,
    spec.value === undefined
      ? { type: "boolean", default: false, ...(spec.short && { short: spec.short }) }
      : { type: "string" },
  ]),
) as Options;

export type Flags = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>["values"];

/** The project a command acts on: --project, or TOKENSPACE_PROJECT_ID. */
export function projectOf(flags: Flags): string | undefined {
  return flags.project ?? process.env.TOKENSPACE_PROJECT_ID;
}

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

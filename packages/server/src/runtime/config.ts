import { readFileSync } from "node:fs";
import { TOKEN_SECRET_DESCRIPTION } from "@tokenspace/contract";
import { ConfigError } from "../domain/errors.js";
import { type FixtureSet, parseFixtures } from "../domain/fixtures.js";
import { isUuid, normalizeId } from "../domain/identifiers.js";
import { DEFAULT_ROTATION_POLL_MS } from "../domain/key-rotation.js";
import { SECRET_KEY_LENGTH } from "../domain/secret-vault.js";
import { isWellFormedSecret } from "../domain/token-secret.js";
import { VerifyRules } from "../domain/verify-rules.js";
import type { PostgresOptions } from "../store/postgres/postgres-options.js";
import { isCertificateHost, type TlsSettings } from "./tls-certificates.js";

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly logLevel: string;
  /** From TOKENSPACE_SECRET_KEY; otherwise a key file beside the database is used. */
  readonly secretKey: Buffer | undefined;
  readonly bootstrap: { readonly projectId: string; readonly token: string } | undefined;
  readonly authCacheTtlMs: number;
  readonly authCacheMaxEntries: number;
  readonly postgres: PostgresOptions;
  /** API requests a minute per project; 0 (the default) turns limiting off. */
  readonly rateLimitPerMinute: number;
  /** Failed authentications a minute per client address and per project id; 0 turns it off. */
  readonly authFailuresPerMinute: number;
  /** Fastify's trustProxy: whether, or for which proxies, X-Forwarded-For names the client. */
  readonly trustProxy: boolean | number | string[];
  /** Where shared counters live instead of the database (TOKENSPACE_REDIS_URL). */
  readonly redisUrl: string | undefined;
  /**
   * Prometheus metrics at /metrics: on the API port with TOKENSPACE_METRICS=1, or on a port of
   * their own with TOKENSPACE_METRICS_PORT; off otherwise.
   */
  readonly metrics: { readonly enabled: boolean; readonly port: number | undefined };
  /** What /auth/verify requires by forwarded method and path (TOKENSPACE_VERIFY_RULES). */
  readonly verifyRules: VerifyRules | undefined;
  /** Longest wait for a request's headers, and for the whole request; then 408. */
  readonly timeouts: { readonly headersMs: number; readonly requestMs: number };
  /** Plain HTTP (the default), the operator's PEM files, or certificates from a local CA. */
  readonly tls: TlsSettings;
  /** How often a node looks for a key rotation started elsewhere (TOKENSPACE_KEY_ROTATION_POLL_MS). */
  readonly keyRotationPollMs: number;
  /** Audit entries older than this many days are pruned (TOKENSPACE_AUDIT_RETENTION_DAYS). */
  readonly auditRetentionDays: number;
  /** Where token expiry, deletion and reroll are announced, signed with the secret. */
  readonly webhook: WebhookSettings | undefined;
  /** A test double for CI: the mock control API and harness credentials (TOKENSPACE_MOCK). */
  readonly mock: boolean;
  /** Processes serving the one port (TOKENSPACE_WORKERS, serve --workers); 1 serves in this one. */
  readonly workers: number;
  /** Mock mode's fixtures (TOKENSPACE_FIXTURES): the store's contents at start and after a reset. */
  readonly fixtures: FixtureSet | undefined;
}

/** Settings that can also be given as command-line flags; a flag wins over the environment. */
export interface ConfigOverrides {
  readonly port?: string | undefined;
  readonly host?: string | undefined;
  readonly databaseUrl?: string | undefined;
  readonly logLevel?: string | undefined;
  readonly tls?: string | undefined;
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
  readonly mock?: boolean | undefined;
  readonly workers?: string | undefined;
}

const DEFAULT_DATABASE_URL = "sqlite:./data/tokenspace.db";
const MAX_WORKERS = 64;
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export function loadConfig(env: NodeJS.ProcessEnv, overrides: ConfigOverrides = {}): ServerConfig {
  const logLevel = overrides.logLevel ?? env.LOG_LEVEL ?? "info";
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}; got "${logLevel}".`);
  }
  const mock = overrides.mock === true || switchSetting("TOKENSPACE_MOCK", env.TOKENSPACE_MOCK);
  const bootstrap = parseBootstrap(
    env.TOKENSPACE_BOOTSTRAP_PROJECT_ID,
    env.TOKENSPACE_BOOTSTRAP_TOKEN,
  );
  const workers = integerSetting(
    "TOKENSPACE_WORKERS",
    overrides.workers ?? env.TOKENSPACE_WORKERS,
    1,
    1,
    MAX_WORKERS,
  );
  if (mock && workers > 1) {
    throw new ConfigError(
      "Mock mode keeps its journal and scenarios in one process: run it with one worker (no --workers, or TOKENSPACE_WORKERS=1).",
    );
  }
  return {
    port: integerSetting("PORT", overrides.port ?? env.PORT, 8080, 0, 65535),
    host: overrides.host ?? env.HOST ?? "127.0.0.1",
    databaseUrl: overrides.databaseUrl ?? env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    logLevel,
    secretKey: parseSecretKey(env.TOKENSPACE_SECRET_KEY),
    bootstrap,
    authCacheTtlMs: integerSetting(
      "TOKENSPACE_AUTH_CACHE_TTL_MS",
      env.TOKENSPACE_AUTH_CACHE_TTL_MS,
      500,
      0,
      3_600_000,
    ),
    authCacheMaxEntries: integerSetting(
      "TOKENSPACE_AUTH_CACHE_MAX_ENTRIES",
      env.TOKENSPACE_AUTH_CACHE_MAX_ENTRIES,
      10_000,
      1,
      10_000_000,
    ),
    tls: parseTls(
      overrides.tls ?? env.TOKENSPACE_TLS,
      overrides.tlsCert ?? env.TOKENSPACE_TLS_CERT,
      overrides.tlsKey ?? env.TOKENSPACE_TLS_KEY,
      env.TOKENSPACE_TLS_HOSTS,
      env.TOKENSPACE_TLS_DIR,
    ),
    rateLimitPerMinute: integerSetting(
      "TOKENSPACE_RATE_LIMIT_PER_MINUTE",
      env.TOKENSPACE_RATE_LIMIT_PER_MINUTE,
      0,
      0,
      100_000_000,
    ),
    authFailuresPerMinute: integerSetting(
      "TOKENSPACE_AUTH_FAILURES_PER_MINUTE",
      env.TOKENSPACE_AUTH_FAILURES_PER_MINUTE,
      30,
      0,
      100_000_000,
    ),
    trustProxy: parseTrustProxy(env.TOKENSPACE_TRUST_PROXY),
    redisUrl: parseRedisUrl(env.TOKENSPACE_REDIS_URL),
    timeouts: parseTimeouts(env),
    verifyRules: readVerifyRules(env.TOKENSPACE_VERIFY_RULES),
    metrics: parseMetrics(env),
    mock,
    workers,
    fixtures: readFixtures(env.TOKENSPACE_FIXTURES, mock, bootstrap !== undefined),
    keyRotationPollMs: integerSetting(
      "TOKENSPACE_KEY_ROTATION_POLL_MS",
      env.TOKENSPACE_KEY_ROTATION_POLL_MS,
      DEFAULT_ROTATION_POLL_MS,
      10,
      60_000,
    ),
    auditRetentionDays: integerSetting(
      "TOKENSPACE_AUDIT_RETENTION_DAYS",
      env.TOKENSPACE_AUDIT_RETENTION_DAYS,
      365,
      1,
      36_500,
    ),
    webhook: parseWebhook(env),
    postgres: {
      poolSize: integerSetting("TOKENSPACE_PG_POOL_SIZE", env.TOKENSPACE_PG_POOL_SIZE, 10, 1, 1000),
      statementTimeoutMs: integerSetting(
        "TOKENSPACE_PG_STATEMENT_TIMEOUT_MS",
        env.TOKENSPACE_PG_STATEMENT_TIMEOUT_MS,
        5000,
        100,
        600_000,
      ),
      connectTimeoutMs: integerSetting(
        "TOKENSPACE_PG_CONNECT_TIMEOUT_MS",
        env.TOKENSPACE_PG_CONNECT_TIMEOUT_MS,
        2000,
        100,
        600_000,
      ),
    },
  };
}

function integerSetting(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got "${value}".`);
  }
  return parsed;
}

/** 32 bytes, written as 64 hex characters or as base64. */
function parseSecretKey(value: string | undefined): Buffer | undefined {
  if (value === undefined || value === "") return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(value)
    ? Buffer.from(value, "hex")
    : /^[A-Za-z0-9+/]{43}=?$/.test(value)
      ? Buffer.from(value, "base64")
      : undefined;
  if (key?.length !== SECRET_KEY_LENGTH) {
    throw new ConfigError(
      `TOKENSPACE_SECRET_KEY must be ${SECRET_KEY_LENGTH} bytes written as 64 hex characters (e.g. the output of: openssl rand -hex 32) or as base64.`,
    );
  }
  return key;
}

/**
 * `false` (the default: the peer is the client), `true` (trust every proxy), a number of
 * proxy hops to trust, or a comma-separated list of proxy addresses or CIDR ranges.
 */
function parseTrustProxy(value: string | undefined): ServerConfig["trustProxy"] {
  if (value === undefined || value === "" || value === "false") return false;
  if (value === "true") return true;
  if (/^\d+$/.test(value)) return Number(value);
  const proxies = value
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const invalid = proxies.find((entry) => !/^[0-9a-fA-F:.]+(?:\/\d{1,3})?$/.test(entry));
  if (invalid !== undefined) {
    throw new ConfigError(
      `TOKENSPACE_TRUST_PROXY must be true, false, a number of hops, or proxy addresses and CIDR ranges separated by commas; "${invalid}" is none of these.`,
    );
  }
  return proxies;
}

/** An on/off setting: 1 or true, 0 or false, or unset (off). */
function switchSetting(name: string, value: string | undefined): boolean {
  const flag = value ?? "";
  if (!["", "0", "1", "true", "false"].includes(flag)) {
    throw new ConfigError(`${name} must be 1 or 0; got "${flag}".`);
  }
  return flag === "1" || flag === "true";
}

function parseMetrics(env: NodeJS.ProcessEnv): ServerConfig["metrics"] {
  const enabled = switchSetting("TOKENSPACE_METRICS", env.TOKENSPACE_METRICS);
  const port =
    env.TOKENSPACE_METRICS_PORT === undefined || env.TOKENSPACE_METRICS_PORT === ""
      ? undefined
      : integerSetting("TOKENSPACE_METRICS_PORT", env.TOKENSPACE_METRICS_PORT, 0, 0, 65535);
  return { enabled: enabled || port !== undefined, port };
}

/** The text of a file a setting names; one that cannot be read stops the start, naming both. */
function readSettingFile(setting: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(
      `${setting} ${file} cannot be read (${(error as NodeJS.ErrnoException).code}).`,
    );
  }
}

/** Fixtures replace the store's contents, so they are for mock mode only, and instead of a bootstrap. */
function readFixtures(
  file: string | undefined,
  mock: boolean,
  bootstrapped: boolean,
): FixtureSet | undefined {
  if (file === undefined || file === "") return undefined;
  if (!mock) {
    throw new ConfigError(
      "TOKENSPACE_FIXTURES needs mock mode (TOKENSPACE_MOCK=1 or serve --mock): fixtures replace the store's contents at every start.",
    );
  }
  if (bootstrapped) {
    throw new ConfigError(
      "TOKENSPACE_FIXTURES and TOKENSPACE_BOOTSTRAP_* cannot be combined: put the bootstrap project and token in the fixtures.",
    );
  }
  return parseFixtures(readSettingFile("TOKENSPACE_FIXTURES", file), file);
}

function readVerifyRules(file: string | undefined): VerifyRules | undefined {
  if (file === undefined || file === "") return undefined;
  return VerifyRules.parse(
    readSettingFile("TOKENSPACE_VERIFY_RULES", file),
    `TOKENSPACE_VERIFY_RULES ${file}`,
  );
}

function parseTimeouts(env: NodeJS.ProcessEnv): ServerConfig["timeouts"] {
  const headersMs = integerSetting(
    "TOKENSPACE_HEADERS_TIMEOUT_MS",
    env.TOKENSPACE_HEADERS_TIMEOUT_MS,
    10_000,
    1000,
    3_600_000,
  );
  const requestMs = integerSetting(
    "TOKENSPACE_REQUEST_TIMEOUT_MS",
    env.TOKENSPACE_REQUEST_TIMEOUT_MS,
    30_000,
    1000,
    3_600_000,
  );
  if (headersMs > requestMs) {
    throw new ConfigError(
      "TOKENSPACE_HEADERS_TIMEOUT_MS cannot be longer than TOKENSPACE_REQUEST_TIMEOUT_MS (the whole request includes its headers).",
    );
  }
  return { headersMs, requestMs };
}

export interface WebhookSettings {
  readonly url: string;
  /** Signs each delivery (Standard Webhooks): `whsec_` + base64 of the key, or the key as text. */
  readonly secret: string;
  /** The retry schedule's unit: 1000 makes it 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
  readonly retryBaseMs: number;
}

function parseWebhook(env: NodeJS.ProcessEnv): WebhookSettings | undefined {
  const url = env.TOKENSPACE_WEBHOOK_URL;
  if (url === undefined || url === "") return undefined;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new ConfigError(
      `TOKENSPACE_WEBHOOK_URL must be an http:// or https:// URL; got "${url.slice(0, 80)}".`,
    );
  }
  const secret = env.TOKENSPACE_WEBHOOK_SECRET ?? "";
  if (secret.length < 16) {
    throw new ConfigError(
      "TOKENSPACE_WEBHOOK_URL needs TOKENSPACE_WEBHOOK_SECRET (at least 16 characters): every delivery is signed with it, so the receiver can tell it came from this server.",
    );
  }
  return {
    url,
    secret,
    retryBaseMs: integerSetting(
      "TOKENSPACE_WEBHOOK_RETRY_BASE_MS",
      env.TOKENSPACE_WEBHOOK_RETRY_BASE_MS,
      1000,
      0,
      600_000,
    ),
  };
}

function parseRedisUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^rediss?:\/\//.test(value)) {
    throw new ConfigError("TOKENSPACE_REDIS_URL must start with redis:// or rediss://.");
  }
  return value;
}

function parseTls(
  mode: string | undefined,
  certFile: string | undefined,
  keyFile: string | undefined,
  hosts: string | undefined,
  directory: string | undefined,
): TlsSettings {
  const files = Boolean(certFile) || Boolean(keyFile);
  if (mode === "self-signed") {
    if (files) {
      throw new ConfigError(
        "TOKENSPACE_TLS=self-signed makes its own certificate: leave TOKENSPACE_TLS_CERT and TOKENSPACE_TLS_KEY unset, or drop TOKENSPACE_TLS to use those files.",
      );
    }
    const names = (hosts ?? "")
      .split(",")
      .map((host) => host.trim())
      .filter(Boolean);
    const invalid = names.find((host) => !isCertificateHost(host));
    if (invalid !== undefined) {
      throw new ConfigError(
        `TOKENSPACE_TLS_HOSTS must list host names or IP addresses separated by commas; "${invalid}" is neither.`,
      );
    }
    return { mode: "self-signed", hosts: names, directory: directory || undefined };
  }
  if (mode !== undefined && mode !== "" && mode !== "off") {
    throw new ConfigError(
      `TOKENSPACE_TLS must be "self-signed" (or "off"); got "${mode}". For your own certificate set TOKENSPACE_TLS_CERT and TOKENSPACE_TLS_KEY.`,
    );
  }
  if (!files) return { mode: "off" };
  if (!certFile || !keyFile) {
    throw new ConfigError(
      "Set TOKENSPACE_TLS_CERT and TOKENSPACE_TLS_KEY together (the certificate and its private key, PEM files).",
    );
  }
  return { mode: "files", certFile, keyFile };
}

function parseBootstrap(
  projectId: string | undefined,
  token: string | undefined,
): ServerConfig["bootstrap"] {
  if (!projectId && !token) return undefined;
  if (!projectId || !token) {
    throw new ConfigError(
      "Set TOKENSPACE_BOOTSTRAP_PROJECT_ID and TOKENSPACE_BOOTSTRAP_TOKEN together, or neither.",
    );
  }
  if (!isUuid(projectId)) {
    throw new ConfigError("TOKENSPACE_BOOTSTRAP_PROJECT_ID must be a UUID.");
  }
  if (!isWellFormedSecret(token)) {
    throw new ConfigError(`TOKENSPACE_BOOTSTRAP_TOKEN must be ${TOKEN_SECRET_DESCRIPTION}.`);
  }
  return { projectId: normalizeId(projectId), token };
}

import { AuditLog } from "../domain/audit-log.js";
import { Authenticator } from "../domain/authenticator.js";
import { type Clock, systemClock } from "../domain/clock.js";
import type { Counters } from "../domain/counters.js";
import { CredentialCache } from "../domain/credential-cache.js";
import { ConfigError } from "../domain/errors.js";
import { FixtureRestorer } from "../domain/fixtures.js";
import {
  DEFAULT_ROTATION_POLL_MS,
  KEY_FINGERPRINT_SETTING,
  KeyRotationFollower,
} from "../domain/key-rotation.js";
import { Keyring } from "../domain/keyring.js";
import { NO_LIFECYCLE_EVENTS } from "../domain/lifecycle-events.js";
import { Maintenance } from "../domain/maintenance.js";
import { ProjectService } from "../domain/project-service.js";
import { RateLimiter } from "../domain/rate-limiter.js";
import {
  SEAL_FORMAT_SETTING,
  type SealFormat,
  SecretVault,
  sealFormatOf,
} from "../domain/secret-vault.js";
import type { Store } from "../domain/store.js";
import { TokenLimiter } from "../domain/token-limiter.js";
import { TokenService } from "../domain/token-service.js";
import { UsageRecorder } from "../domain/usage-recorder.js";
import { UsageReports } from "../domain/usage-report.js";
import { UsesLedger } from "../domain/uses-ledger.js";
import { MemoryCounters } from "../store/memory-counters.js";
import { openStore } from "../store/open-store.js";
import type { ServerConfig } from "./config.js";
import type { Metrics } from "./metrics.js";
import { loadServerKey, promoteNextKey, type ServerKey } from "./server-key.js";
import { WebhookDeliverer } from "./webhook-deliverer.js";

const REVOCATIONS_UNHEARD = "revocations unheard";

/** Last-used times are written at most this long after the use. */
const USAGE_FLUSH_MS = 1000;
const DEFAULT_AUDIT_RETENTION_DAYS = 365;

/** Counters in Redis, whose client is loaded only when TOKENSPACE_REDIS_URL asks for it. */
async function redisCounters(url: string, namespace: string): Promise<Counters> {
  const { RedisCounters } = await import("../store/redis-counters.js");
  return RedisCounters.open(url, namespace);
}

/** The store and the domain services on top of it: what the server and the CLI both run on. */
export interface Tokenspace {
  readonly store: Store;
  /** Where files that belong beside the database go; undefined when it has no place on disk. */
  readonly dataDirectory: string | undefined;
  readonly authenticator: Authenticator;
  readonly tokens: TokenService;
  readonly projects: ProjectService;
  /** The configured server key, and its file when it came from one (key rotation needs both). */
  readonly serverKey: { readonly vault: SecretVault; readonly file: string | undefined };
  /**
   * Request counts: in Redis when configured, else shared through the store, else with the
   * server's other workers, else in memory.
   */
  readonly counters: Counters;
  readonly audit: AuditLog;
  /** Last uses and verification counts noted in memory, written once a second (flushed on close). */
  readonly usage: UsageRecorder;
  /** Tokens' rate limits and uses, enforced at verification. */
  readonly limiter: TokenLimiter;
  /** Verification counts read back. */
  readonly reports: UsageReports;
  /** The time the domain reads (tests stand it where they need it). */
  readonly clock: Clock;
  /** Expiries recorded and announced, the audit log pruned: started by the server. */
  readonly maintenance: Maintenance;
  /** Delivers the webhook outbox, when a webhook is configured: started by the server. */
  readonly webhooks: WebhookDeliverer | undefined;
  /** Puts the store back to the configured fixtures (to nothing without them): mock mode's reset. */
  readonly fixtures: FixtureRestorer;
  close(): Promise<void>;
}

interface TokenspaceDependencies {
  readonly metrics?: Metrics;
  /** The time the domain reads; tests stand it where they need it. */
  readonly clock?: Clock;
  /** Told of what goes wrong in the background (a webhook not delivered, a write retried). */
  readonly warn?: (details: object, message: string) => void;
  /**
   * Counts shared with the other worker processes of this server, for a store that shares none
   * itself (SQLite) and no Redis.
   */
  readonly workerCounters?: Counters;
}

const warnOnStandardError = (details: object, message: string) =>
  process.stderr.write(`${JSON.stringify({ level: "warn", msg: message, ...details })}\n`);

export async function openTokenspace(
  config: Pick<
    ServerConfig,
    "databaseUrl" | "secretKey" | "authCacheTtlMs" | "authCacheMaxEntries" | "postgres" | "redisUrl"
  > &
    Partial<
      Pick<ServerConfig, "auditRetentionDays" | "webhook" | "keyRotationPollMs" | "fixtures">
    >,
  {
    metrics,
    clock = systemClock,
    warn = warnOnStandardError,
    workerCounters,
  }: TokenspaceDependencies = {},
): Promise<Tokenspace> {
  const opened = await openStore(config.databaseUrl, config.postgres);
  const { dataDirectory, shared } = opened;
  const store = metrics ? metrics.instrument(opened.store) : opened.store;
  let counters: Counters | undefined;
  let follower: KeyRotationFollower | undefined;
  try {
    const sealedUnder = await store.readSetting(KEY_FINGERPRINT_SETTING);
    const serverKey = loadServerKey(config.secretKey, dataDirectory, {
      shared,
      keyInUse: sealedUnder !== undefined,
    });
    const sealFormat = sealFormatOf(await store.readSetting(SEAL_FORMAT_SETTING));
    const vault = matchingVault(serverKey, sealedUnder, sealFormat);
    const fingerprint = vault.keyFingerprint();
    if ((await store.initSetting(KEY_FINGERPRINT_SETTING, fingerprint)) !== fingerprint) {
      throw new ConfigError(
        "This database is sealed under a different server key, so its tokens cannot be read. Start with its TOKENSPACE_SECRET_KEY or key file (after a key rotation: the new key).",
      );
    }
    const cache = new CredentialCache({
      maxEntries: config.authCacheMaxEntries,
      ttlMs: config.authCacheTtlMs,
      ...(metrics && {
        onLookup: (hit: boolean) => metrics.authCacheLookups.inc({ result: hit ? "hit" : "miss" }),
      }),
    });
    const keyring = new Keyring(vault);
    follower = new KeyRotationFollower(store, keyring, vault, cache);
    await follower.follow(config.keyRotationPollMs ?? DEFAULT_ROTATION_POLL_MS);
    const sharedCounters = config.redisUrl
      ? await redisCounters(config.redisUrl, fingerprint.slice(0, 16))
      : (store.sharedCounters() ?? workerCounters);
    counters = sharedCounters ?? new MemoryCounters();
    store.watchRevocations({
      revoked: (digest) => {
        metrics?.revocationsHeard.inc();
        cache.invalidate(digest);
      },
      lost: () => cache.suspend(REVOCATIONS_UNHEARD),
      restored: () => cache.resume(REVOCATIONS_UNHEARD),
    });
    const following = follower;
    const webhook = config.webhook && new WebhookDeliverer(store, config.webhook, warn, metrics);
    const events = webhook ?? NO_LIFECYCLE_EVENTS;
    const usage = new UsageRecorder(store, (error) =>
      warn({ err: String(error) }, "last uses and usage counts not recorded"),
    );
    usage.start(USAGE_FLUSH_MS);
    const rates = new RateLimiter(sharedCounters, (error) =>
      warn({ err: String(error) }, "shared rate counts unavailable; counting on this node"),
    );
    rates.start();
    const uses = new UsesLedger(store, clock, (error) =>
      warn({ err: String(error) }, "unspent uses not given back"),
    );
    uses.start(USAGE_FLUSH_MS);
    const audit = new AuditLog(store, clock);
    const maintenance = new Maintenance(store, audit, events, clock, {
      auditRetentionDays: config.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS,
      onError: (error) =>
        warn({ err: String(error) }, "maintenance failed; retried on its next run"),
    });
    return {
      store,
      dataDirectory,
      serverKey: { vault, file: serverKey.file },
      authenticator: new Authenticator(store, keyring, cache, clock, usage),
      tokens: new TokenService(store, keyring, cache, clock, events),
      projects: new ProjectService(store, keyring, clock),
      counters,
      audit,
      usage,
      limiter: new TokenLimiter(rates, uses),
      reports: new UsageReports(store, clock),
      clock,
      maintenance,
      webhooks: webhook,
      fixtures: new FixtureRestorer(store, keyring, cache, clock, config.fixtures ?? []),
      close: async () => {
        following.stop();
        await maintenance.stop();
        await rates.stop();
        await uses.stop();
        await usage.stop();
        await webhook?.close();
        await counters?.close();
        await store.close();
      },
    };
  } catch (error) {
    follower?.stop();
    await counters?.close();
    await store.close();
    throw error;
  }
}

/**
 * The configured key, unless the database is already sealed under a key staged beside the key
 * file by a rotation that ended before it could swap the files: then that key, now promoted.
 * It seals in the format the database's setting names (SEAL_FORMAT_SETTING): the newer one once
 * schema step 9 keeps older code off the database, the one every release opens until then.
 */
function matchingVault(
  serverKey: ServerKey,
  sealedUnder: string | undefined,
  sealFormat: SealFormat,
): SecretVault {
  const vault = new SecretVault(serverKey.key, sealFormat);
  if (sealedUnder === undefined || vault.keyFingerprint() === sealedUnder || !serverKey.file) {
    return vault;
  }
  const staged = promoteNextKey(
    serverKey.file,
    (key) => new SecretVault(key).keyFingerprint() === sealedUnder,
  );
  return staged ? vault.withKey(staged) : vault;
}

import type { ServerConfig } from "./config.js";
import { Authenticator } from "./domain/authenticator.js";
import type { Counters } from "./domain/counters.js";
import { CredentialCache } from "./domain/credential-cache.js";
import {
  KEY_FINGERPRINT_SETTING,
  KeyRotationFollower,
  ROTATION_POLL_MS,
} from "./domain/key-rotation.js";
import { Keyring } from "./domain/keyring.js";
import { ProjectService } from "./domain/project-service.js";
import { SecretVault } from "./domain/secret-vault.js";
import type { Store } from "./domain/store.js";
import { TokenService } from "./domain/token-service.js";
import { ConfigError } from "./errors.js";
import type { Metrics } from "./metrics.js";
import { loadServerKey, promoteNextKey, type ServerKey } from "./server-key.js";
import { MemoryCounters } from "./store/memory-counters.js";
import { openStore } from "./store/open-store.js";
import { RedisCounters } from "./store/redis-counters.js";

const REVOCATIONS_UNHEARD = "revocations unheard";

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
  /** Request counts: in Redis when configured, else shared through the store, else in memory. */
  readonly counters: Counters;
  close(): Promise<void>;
}

export async function openTokenspace(
  config: Pick<
    ServerConfig,
    "databaseUrl" | "secretKey" | "authCacheTtlMs" | "authCacheMaxEntries" | "postgres" | "redisUrl"
  >,
  metrics?: Metrics,
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
    const vault = matchingVault(serverKey, sealedUnder);
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
    await follower.follow(ROTATION_POLL_MS);
    counters = config.redisUrl
      ? await RedisCounters.open(config.redisUrl, fingerprint.slice(0, 16))
      : (store.sharedCounters() ?? new MemoryCounters());
    store.watchRevocations({
      revoked: (digest) => {
        metrics?.revocationsHeard.inc();
        cache.invalidate(digest);
      },
      lost: () => cache.suspend(REVOCATIONS_UNHEARD),
      restored: () => cache.resume(REVOCATIONS_UNHEARD),
    });
    const following = follower;
    return {
      store,
      dataDirectory,
      serverKey: { vault, file: serverKey.file },
      authenticator: new Authenticator(store, keyring, cache),
      tokens: new TokenService(store, keyring, cache),
      projects: new ProjectService(store, keyring),
      counters,
      close: async () => {
        following.stop();
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
 */
function matchingVault(serverKey: ServerKey, sealedUnder: string | undefined): SecretVault {
  const vault = new SecretVault(serverKey.key);
  if (sealedUnder === undefined || vault.keyFingerprint() === sealedUnder || !serverKey.file) {
    return vault;
  }
  const staged = promoteNextKey(
    serverKey.file,
    (key) => new SecretVault(key).keyFingerprint() === sealedUnder,
  );
  return staged ? new SecretVault(staged) : vault;
}

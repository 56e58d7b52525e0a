import type { ServerConfig } from "./config.js";
import { Authenticator } from "./domain/authenticator.js";
import type { Counters } from "./domain/counters.js";
import { CredentialCache } from "./domain/credential-cache.js";
import { ProjectService } from "./domain/project-service.js";
import { SecretVault } from "./domain/secret-vault.js";
import type { Store } from "./domain/store.js";
import { TokenService } from "./domain/token-service.js";
import { ConfigError } from "./errors.js";
import { loadServerKey } from "./server-key.js";
import { MemoryCounters } from "./store/memory-counters.js";
import { openStore } from "./store/open-store.js";
import { RedisCounters } from "./store/redis-counters.js";

const KEY_FINGERPRINT_SETTING = "server_key_fingerprint";

/** The store and the domain services on top of it: what the server and the CLI both run on. */
export interface Tokenspace {
  readonly store: Store;
  /** Where files that belong beside the database go; undefined when it has no place on disk. */
  readonly dataDirectory: string | undefined;
  readonly authenticator: Authenticator;
  readonly tokens: TokenService;
  readonly projects: ProjectService;
  /** Request counts: in Redis when configured, else shared through the store, else in memory. */
  readonly counters: Counters;
  close(): Promise<void>;
}

export async function openTokenspace(
  config: Pick<
    ServerConfig,
    "databaseUrl" | "secretKey" | "authCacheTtlMs" | "authCacheMaxEntries" | "postgres" | "redisUrl"
  >,
): Promise<Tokenspace> {
  const { store, dataDirectory, shared } = await openStore(config.databaseUrl, config.postgres);
  let counters: Counters | undefined;
  try {
    const keyInUse = (await store.readSetting(KEY_FINGERPRINT_SETTING)) !== undefined;
    const vault = new SecretVault(
      loadServerKey(config.secretKey, dataDirectory, { shared, keyInUse }),
    );
    const fingerprint = vault.keyFingerprint();
    if ((await store.initSetting(KEY_FINGERPRINT_SETTING, fingerprint)) !== fingerprint) {
      throw new ConfigError(
        "This database was created with a different server key, so its tokens cannot be read. Start with the original TOKENSPACE_SECRET_KEY or key file.",
      );
    }
    const cache = new CredentialCache({
      maxEntries: config.authCacheMaxEntries,
      ttlMs: config.authCacheTtlMs,
    });
    counters = config.redisUrl
      ? await RedisCounters.open(config.redisUrl, fingerprint.slice(0, 16))
      : (store.sharedCounters() ?? new MemoryCounters());
    store.watchRevocations({
      revoked: (digest) => cache.invalidate(digest),
      lost: () => cache.suspend(),
      restored: () => cache.resume(),
    });
    return {
      store,
      dataDirectory,
      authenticator: new Authenticator(store, vault, cache),
      tokens: new TokenService(store, vault, cache),
      projects: new ProjectService(store, vault),
      counters,
      close: async () => {
        await counters?.close();
        await store.close();
      },
    };
  } catch (error) {
    await counters?.close();
    await store.close();
    throw error;
  }
}

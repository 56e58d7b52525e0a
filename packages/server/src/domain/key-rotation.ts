import { setTimeout as sleep } from "node:timers/promises";
import { OPERATOR } from "./actor.js";
import { auditEntry } from "./audit-log.js";
import type { CredentialCache } from "./credential-cache.js";
import { ConfigError } from "./errors.js";
import type { Keyring } from "./keyring.js";
import { digestFormOf, type SecretVault } from "./secret-vault.js";
import { signingKeyBinding } from "./signing-key.js";
import type { Store } from "./store.js";

/** The fingerprint of the key the database is sealed under (set once, moved by a rotation). */
export const KEY_FINGERPRINT_SETTING = "server_key_fingerprint";
/** A rotation under way: where it goes, the new key sealed under the old, and how far it got. */
const ROTATION_SETTING = "server_key_rotation";
const NEXT_KEY_BINDING = "next server key";
const CACHE_HOLD = "key rotation";

/** How often a node looks for a rotation started elsewhere, unless configured otherwise. */
export const DEFAULT_ROTATION_POLL_MS = 1000;
/**
 * How long a rotation waits after publishing the new key before sealing anything under it,
 * unless told otherwise: several of the nodes' polls, so a node whose event loop or database
 * pool is busy still picks the key up first.
 */
export const DEFAULT_SETTLE_MS = DEFAULT_ROTATION_POLL_MS * 5;

interface RotationState {
  /** The new key's fingerprint. */
  readonly to: string;
  /** The new key (hex), sealed under the key being replaced, base64. */
  readonly key: string;
  /** Every token up to this position is sealed under the new key. */
  readonly tokensAfter: number;
}

async function readRotation(store: Store): Promise<RotationState | undefined> {
  const text = await store.readSetting(ROTATION_SETTING);
  return text === undefined ? undefined : (JSON.parse(text) as RotationState);
}

/**
 * Keeps a node's keyring in step with a rotation run elsewhere (`tokenspace rotate-key`): when
 * one starts, the node learns the new key from the database (sealed under the key it already
 * has), seals everything new under it and still opens what the old key sealed; when it ends,
 * the node drops the old key. The credential cache rests meanwhile, because digests move.
 */
export class KeyRotationFollower {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly configured: SecretVault,
    private readonly cache: CredentialCache,
  ) {}

  /** Reads the rotation state now, then every `intervalMs`. */
  async follow(intervalMs: number): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => void this.refresh().catch(() => {}), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async refresh(): Promise<void> {
    const rotation = await readRotation(this.store);
    if (rotation) {
      if (this.keyring.primary.keyFingerprint() === rotation.to) return;
      const key = this.configured.open(Buffer.from(rotation.key, "base64"), NEXT_KEY_BINDING);
      this.cache.suspend(CACHE_HOLD);
      this.keyring.use([this.configured.withKey(Buffer.from(key, "hex")), this.configured]);
      return;
    }
    if (!this.keyring.rotating) return;
    const sealedUnder = await this.store.readSetting(KEY_FINGERPRINT_SETTING);
    const [primary] = this.keyring.vaults;
    this.keyring.use(
      primary && primary.keyFingerprint() === sealedUnder ? [primary] : [this.configured],
    );
    this.cache.resume(CACHE_HOLD);
  }
}

interface RotationProgress {
  readonly tokens: number;
  readonly signingKeys: number;
}

/**
 * Re-seals every secret and recomputes every digest under `nextKey`, in batches, while nodes
 * keep serving: the new key is published first (sealed under the current one), then after a
 * pause long enough for every node to pick it up each batch is re-sealed and the
 * progress recorded, and at the end the database is marked as sealed under the new key. Run
 * again with the same key after an interruption, it resumes where it stopped.
 */
export async function rotateKey(
  store: Store,
  current: SecretVault,
  nextKey: Buffer,
  options: {
    readonly batchSize: number;
    /** The wait between publishing the new key and sealing under it (DEFAULT_SETTLE_MS). */
    readonly settleMs: number;
    /** The wait after each batch, which leaves a busy database room for its other work. */
    readonly pauseMs?: number;
    readonly report: (progress: RotationProgress) => void;
  },
): Promise<RotationProgress> {
  const next = current.withKey(nextKey);
  if (next.keyFingerprint() === current.keyFingerprint()) {
    throw new ConfigError("The new key is the key already in use; generate a new one.");
  }
  const underway = await readRotation(store);
  if (underway && underway.to !== next.keyFingerprint()) {
    throw new ConfigError(
      "A rotation to a different key is under way; finish it with that key first (run rotate-key again with the same new key).",
    );
  }
  let state: RotationState = underway ?? {
    to: next.keyFingerprint(),
    key: current.seal(nextKey.toString("hex"), NEXT_KEY_BINDING).toString("base64"),
    tokensAfter: 0,
  };
  await store.writeSettings({ [ROTATION_SETTING]: JSON.stringify(state) });
  await sleep(options.settleMs);

  const progress = { tokens: 0, signingKeys: 0 };
  for (;;) {
    const batch = await store.listAllTokens(state.tokensAfter, options.batchSize);
    const last = batch.at(-1);
    if (!last) break;
    for (const token of batch) {
      const secret = openedBy(current, next, token.sealedSecret, token.id);
      if (secret === undefined) continue;
      const previous = token.previousSealedSecret
        ? openedBy(current, next, token.previousSealedSecret, token.id)
        : undefined;
      const moved = await store.resealToken(
        token.id,
        token.secretDigest,
        {
          digest: next.digest(secret, digestFormOf(token.secretDigest)),
          sealed: next.seal(secret, token.id),
        },
        previous === undefined || token.previousSecretDigest === null
          ? null
          : {
              digest: next.digest(previous, digestFormOf(token.previousSecretDigest)),
              sealed: next.seal(previous, token.id),
            },
      );
      if (moved) progress.tokens++;
    }
    state = { ...state, tokensAfter: last.position };
    await store.writeSettings({ [ROTATION_SETTING]: JSON.stringify(state) });
    options.report(progress);
    if (options.pauseMs) await sleep(options.pauseMs);
  }
  for (const project of await store.listProjects()) {
    const { sealedSigningKey, signingKeyDigest } = project;
    if (!sealedSigningKey || !signingKeyDigest) continue;
    const key = openedBy(current, next, sealedSigningKey, signingKeyBinding(project.id));
    if (key === undefined) continue;
    const moved = await store.resealSigningKey(project.id, signingKeyDigest, {
      digest: next.digest(key),
      sealed: next.seal(key, signingKeyBinding(project.id)),
    });
    if (moved) progress.signingKeys++;
  }
  await store.writeSettings(
    { [KEY_FINGERPRINT_SETTING]: next.keyFingerprint(), [ROTATION_SETTING]: undefined },
    auditEntry("key.rotated", { type: "server", id: null, projectId: null }, OPERATOR, new Date(), {
      tokens: progress.tokens,
      signing_keys: progress.signingKeys,
    }),
  );
  options.report(progress);
  return progress;
}

/** The secret, when `current` sealed it; undefined when `next` already did. */
function openedBy(
  current: SecretVault,
  next: SecretVault,
  sealed: Buffer,
  boundTo: string,
): string | undefined {
  try {
    next.open(sealed, boundTo);
    return undefined;
  } catch {
    return current.open(sealed, boundTo);
  }
}

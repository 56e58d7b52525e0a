import { UsageError } from "../domain/errors.js";
import { DEFAULT_SETTLE_MS, rotateKey } from "../domain/key-rotation.js";
import { promoteNextKey, readKeyFile, stageNextKey } from "../runtime/server-key.js";
import { type Flags, print } from "./cli-flags.js";
import { withStore } from "./store-commands.js";

const DEFAULT_BATCH_SIZE = 500;

/**
 * `tokenspace rotate-key --new-key-file F`: re-seals every secret under a new server key while
 * servers keep serving, in batches; run it again after an interruption and it resumes. With a
 * key file beside the database, the new key replaces that file at the end; with
 * TOKENSPACE_SECRET_KEY, set it to the new key on every node before their next restart.
 */
export async function rotateServerKey(flags: Flags): Promise<void> {
  const nextKey = newKey(flags);
  const batchSize =
    flags["batch-size"] === undefined ? DEFAULT_BATCH_SIZE : Number(flags["batch-size"]);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    throw new UsageError("--batch-size must be a whole number from 1 to 100000.");
  }
  const settleMs = milliseconds(flags, "settle-ms", DEFAULT_SETTLE_MS);
  const pauseMs = milliseconds(flags, "pause-ms", 0);
  const outcome = await withStore(flags, async (tokenspace) => {
    const keyFile = tokenspace.serverKey.file;
    if (keyFile) stageNextKey(keyFile, nextKey);
    const progress = await rotateKey(tokenspace.store, tokenspace.serverKey.vault, nextKey, {
      batchSize,
      settleMs,
      pauseMs,
      report: ({ tokens, signingKeys }) =>
        process.stderr.write(`re-sealed ${tokens} tokens, ${signingKeys} signing keys\n`),
    });
    if (keyFile) promoteNextKey(keyFile);
    return { ...progress, keyFile };
  });
  print(
    flags,
    { rotated: true, tokens: outcome.tokens, signing_keys: outcome.signingKeys },
    outcome.keyFile
      ? `Every secret is sealed under the new key, now in ${outcome.keyFile}.`
      : "Every secret is sealed under the new key. Set TOKENSPACE_SECRET_KEY to it on every node before their next restart: the previous key is refused from now on.",
  );
}

/** A wait given in whole milliseconds, at most ten minutes. */
function milliseconds(flags: Flags, name: "settle-ms" | "pause-ms", fallback: number): number {
  const given = flags[name];
  const value = given === undefined ? fallback : Number(given);
  if (!Number.isInteger(value) || value < 0 || value > 600_000) {
    throw new UsageError(`--${name} must be a whole number of milliseconds from 0 to 600000.`);
  }
  return value;
}

function newKey(flags: Flags): Buffer {
  const file = flags["new-key-file"];
  if (file) return readKeyFile(file);
  const value = process.env.TOKENSPACE_NEW_SECRET_KEY ?? "";
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  throw new UsageError(
    "rotate-key needs the new key: --new-key-file FILE (64 hex characters, mode 0600) or TOKENSPACE_NEW_SECRET_KEY (generate one with: openssl rand -hex 32).",
  );
}

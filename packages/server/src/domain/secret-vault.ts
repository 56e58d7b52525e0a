import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  timingSafeEqual,
} from "node:crypto";
import { randomBytesFromPool } from "./random-pool.js";
import { timePrefixOf } from "./token-secret.js";

const SEALED_FORMAT_VERSION = 1;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

export const SECRET_KEY_LENGTH = 32;
const HMAC_LENGTH = 32;

/**
 * How a secret's digest is stored. `plain`: its HMAC, for a secret given to Tokenspace (an
 * import, a bootstrap or fixture token, a signing key, and every token issued before secrets
 * led with their time), none of whose digits may be kept in clear. `time-led`: the time prefix
 * of a secret Tokenspace generated (token-secret.ts), then its HMAC, so that new digests sort
 * by when their secrets were made.
 */
export type DigestForm = "plain" | "time-led";

/** A presented secret's digest in each form: it may have been stored either way. */
export interface SecretDigests {
  readonly timeLed: Buffer;
  readonly plain: Buffer;
}

/**
 * Keeps secrets (token secrets, project signing keys) out of the database in plain text. Under
 * one server key it derives two independent keys: one for the HMAC-SHA-256 digest used to find
 * a token by its secret, and one for the AES-256-GCM encryption that lets update and get return
 * the secret. What a secret belongs to (a token's id) is bound into the encryption as
 * associated data, so a sealed secret moved to another row does not open.
 */
export class SecretVault {
  readonly #digestKey: Buffer;
  readonly #encryptionKey: Buffer;

  constructor(serverKey: Buffer) {
    if (serverKey.length !== SECRET_KEY_LENGTH) {
      throw new Error(`The server key must be ${SECRET_KEY_LENGTH} bytes.`);
    }
    this.#digestKey = derive(serverKey, "token digest v1");
    this.#encryptionKey = derive(serverKey, "token encryption v1");
  }

  digest(secret: string, form: DigestForm = "plain"): Buffer {
    const hmac = this.#hmac(secret);
    return form === "plain" ? hmac : timeLed(secret, hmac);
  }

  /** What to look a presented secret up by: one HMAC, in both forms. */
  lookupDigests(secret: string): SecretDigests {
    const plain = this.#hmac(secret);
    return { timeLed: timeLed(secret, plain), plain };
  }

  seal(secret: string, boundTo: string): Buffer {
    const iv = randomBytesFromPool(IV_LENGTH);
    const cipher = createCipheriv("aes-256-gcm", this.#encryptionKey, iv);
    cipher.setAAD(Buffer.from(boundTo, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
    return Buffer.concat([Buffer.of(SEALED_FORMAT_VERSION), iv, cipher.getAuthTag(), ciphertext]);
  }

  open(sealed: Uint8Array, boundTo: string): string {
    const buffer = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (buffer[0] !== SEALED_FORMAT_VERSION) {
      throw new Error(`Unknown sealed secret format ${buffer[0]}.`);
    }
    const iv = buffer.subarray(1, 1 + IV_LENGTH);
    const tag = buffer.subarray(1 + IV_LENGTH, 1 + IV_LENGTH + TAG_LENGTH);
    const decipher = createDecipheriv("aes-256-gcm", this.#encryptionKey, iv);
    decipher.setAAD(Buffer.from(boundTo, "utf8"));
    decipher.setAuthTag(tag);
    const ciphertext = buffer.subarray(1 + IV_LENGTH + TAG_LENGTH);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  }

  /**
   * A value that identifies the server key without revealing it. Stored in the database at
   * first start, so a node started with a different key refuses to run instead of failing
   * every request.
   */
  keyFingerprint(): string {
    return createHmac("sha256", this.#digestKey).update("key fingerprint").digest("hex");
  }

  #hmac(secret: string): Buffer {
    return createHmac("sha256", this.#digestKey).update(secret, "utf8").digest();
  }
}

/** A time-led digest: the secret's time prefix, then its HMAC. */
function timeLed(secret: string, hmac: Buffer): Buffer {
  return Buffer.concat([timePrefixOf(secret), hmac]);
}

/** The form a stored digest was made in: a time-led one is longer by the time prefix. */
export function digestFormOf(storedDigest: Uint8Array): DigestForm {
  return storedDigest.length > HMAC_LENGTH ? "time-led" : "plain";
}

/** Constant-time check that a secret's digest is a stored one. */
export function sameDigest(digest: Uint8Array, storedDigest: Uint8Array): boolean {
  return digest.length === storedDigest.length && timingSafeEqual(digest, storedDigest);
}

/** Whether a stored digest is a presented secret's, in whichever form it was stored. */
export function isDigestOf(digests: SecretDigests, storedDigest: Uint8Array): boolean {
  return sameDigest(digests.timeLed, storedDigest) || sameDigest(digests.plain, storedDigest);
}

function derive(serverKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", serverKey, "tokenspace", purpose, SECRET_KEY_LENGTH));
}

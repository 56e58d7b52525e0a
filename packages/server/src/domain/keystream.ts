import { createCipheriv, createDecipheriv } from "node:crypto";
import { randomBytesFromPool } from "./random-pool.js";

export const COUNTER_BLOCK_LENGTH = 16;
const BLOCKS_PER_FILL = 256;
const ZEROS = Buffer.alloc(BLOCKS_PER_FILL * COUNTER_BLOCK_LENGTH);

/**
 * AES-256-CTR under one key, its keystream made 4 KiB at a time. A cipher object per secret
 * costs as much as the encryption of a thousand blocks (an OpenSSL context, fetched by name
 * under a lock); a secret takes two or three blocks. So one cipher makes 256 blocks of keystream
 * from a fresh random 128-bit counter, and each encryption takes the next blocks it needs,
 * recording the counter block it started at. Blocks are never handed out twice, and a fill's
 * random start makes two fills' counters meet with a chance of about 2^-119.
 */
export class Keystream {
  readonly #key: Buffer;
  #start: Buffer = Buffer.alloc(COUNTER_BLOCK_LENGTH);
  #stream: Buffer = Buffer.alloc(0);
  #used = BLOCKS_PER_FILL;

  constructor(key: Buffer) {
    this.#key = key;
  }

  /**
   * Writes into `out` at `offset` the counter block the encryption starts at, then `plaintext`
   * encrypted: `COUNTER_BLOCK_LENGTH + plaintext.length` bytes.
   */
  encryptInto(plaintext: Uint8Array, out: Uint8Array, offset: number): void {
    const blocks = Math.ceil(plaintext.length / COUNTER_BLOCK_LENGTH);
    if (blocks > BLOCKS_PER_FILL) throw new RangeError("Too long to encrypt from one fill.");
    if (this.#used + blocks > BLOCKS_PER_FILL) this.#fill();
    writeCounterBlock(this.#start, this.#used, out, offset);
    const stream = this.#stream;
    const streamOffset = this.#used * COUNTER_BLOCK_LENGTH;
    const ciphertextOffset = offset + COUNTER_BLOCK_LENGTH;
    for (let index = 0; index < plaintext.length; index++) {
      out[ciphertextOffset + index] = (plaintext[index] ?? 0) ^ (stream[streamOffset + index] ?? 0);
    }
    this.#used += blocks;
  }

  /** Decrypts what `encryptInto` wrote, given the counter block it recorded. */
  decrypt(counterBlock: Uint8Array, ciphertext: Uint8Array): Buffer {
    return createDecipheriv("aes-256-ctr", this.#key, counterBlock).update(ciphertext);
  }

  #fill(): void {
    this.#start = randomBytesFromPool(COUNTER_BLOCK_LENGTH);
    this.#stream = createCipheriv("aes-256-ctr", this.#key, this.#start).update(ZEROS);
    this.#used = 0;
  }
}

/**
 * `start` plus `blocks`, as the 128-bit big-endian number OpenSSL's CTR mode counts in (it
 * carries across all 16 bytes), written into `out` at `offset`.
 */
export function writeCounterBlock(
  start: Uint8Array,
  blocks: number,
  out: Uint8Array,
  offset: number,
): void {
  let carry = blocks;
  for (let index = COUNTER_BLOCK_LENGTH - 1; index >= 0; index--) {
    const sum = (start[index] ?? 0) + (carry & 0xff);
    out[offset + index] = sum & 0xff;
    carry = (carry >>> 8) + (sum >>> 8);
  }
}

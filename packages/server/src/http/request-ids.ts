import { randomBytesFromPool } from "../domain/random-pool.js";

const IDS_PER_BLOCK = 128;
const UUID_BYTES = 16;
const UUID_LENGTH = 36;
const HEX_DIGITS = Buffer.from("0123456789abcdef", "latin1");
const DASH = 0x2d;
/** The bytes of a UUID that a dash follows in its text. */
const DASH_AFTER = new Set([3, 5, 7, 9]);

/**
 * Request ids: random UUIDs (version 4, RFC 9562), made 128 at a time. Their bytes are drawn
 * together from the random pool, written out as the text of one buffer, and each id is read out
 * of it as one string. `crypto.randomUUID` joins each id from twenty pieces, which V8 allocates
 * one by one and copies together where the id is first used (its response header): 3 % of a
 * cached verification's CPU.
 */
export class RequestIds {
  readonly #text = Buffer.alloc(IDS_PER_BLOCK * UUID_LENGTH);
  #next = IDS_PER_BLOCK;

  next(): string {
    if (this.#next === IDS_PER_BLOCK) this.#refill();
    const start = this.#next++ * UUID_LENGTH;
    return this.#text.toString("latin1", start, start + UUID_LENGTH);
  }

  #refill(): void {
    const random = randomBytesFromPool(IDS_PER_BLOCK * UUID_BYTES);
    const text = this.#text;
    let at = 0;
    for (let index = 0; index < random.length; index++) {
      const byte = versioned(index % UUID_BYTES, random.readUInt8(index));
      text[at++] = HEX_DIGITS.readUInt8(byte >> 4);
      text[at++] = HEX_DIGITS.readUInt8(byte & 0x0f);
      if (DASH_AFTER.has(index % UUID_BYTES)) text[at++] = DASH;
    }
    this.#next = 0;
  }
}

/** A random byte of a UUID, with the version (4) and variant (10) bits where they belong. */
function versioned(position: number, byte: number): number {
  if (position === 6) return (byte & 0x0f) | 0x40;
  if (position === 8) return (byte & 0x3f) | 0x80;
  return byte;
}

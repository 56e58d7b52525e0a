const HEX_DIGITS = Uint8Array.from(Buffer.from("0123456789abcdef", "latin1"));
const DASH = 0x2d;

export const UUID_BYTES = 16;
/** The length of a UUID's text: 32 hex digits and 4 dashes. */
export const UUID_LENGTH = 36;

/**
 * Sets a UUID's version (its 13th hex digit) and its variant (10, RFC 9562) in its bytes, the 16
 * from `from`.
 */
export function stampUuidVersion(bytes: Uint8Array, from: number, version: number): void {
  bytes[from + 6] = ((bytes[from + 6] as number) & 0x0f) | (version << 4);
  bytes[from + 8] = ((bytes[from + 8] as number) & 0x3f) | 0x80;
}

/**
 * Writes the text of the UUID in `bytes` (the 16 from `from`) into `text` at `at`: lower-case
 * hex, dashed 8-4-4-4-12. An id read out of such a buffer is one flat string; joined from pieces,
 * as `uuid` and `crypto.randomUUID` join it, V8 copies it together again where it is first used.
 * Plain indexing, no calls: a block of request ids runs this too seldom for V8 to optimize it
 * early, and as unoptimized code a Buffer method call a byte cost more than the requests it served.
 */
export function writeUuidText(bytes: Uint8Array, from: number, text: Uint8Array, at: number): void {
  let written = at;
  for (let index = 0; index < UUID_BYTES; index++) {
    const byte = bytes[from + index] as number;
    text[written++] = HEX_DIGITS[byte >> 4] as number;
    text[written++] = HEX_DIGITS[byte & 0x0f] as number;
    if (index === 3 || index === 5 || index === 7 || index === 9) text[written++] = DASH;
  }
}

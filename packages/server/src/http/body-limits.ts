import { PERMISSION_LIST_MAX_ITEMS } from "@tokenspace/contract";
import { MalformedRequestError, ValidationError } from "../domain/errors.js";
import { listTooLong } from "../domain/validation-problem.js";

/** No body any route accepts is nested deeper than two levels; refuse far sooner than a stack would. */
const MAX_JSON_DEPTH = 16;

/**
 * No body any route accepts has more than three fields; the slack lets a misspelt field still
 * get the 422 that names it.
 */
const MAX_BODY_FIELDS = 32;

/** The longest key the scanner keeps, to name the list it holds: longer ones are no field's. */
const MAX_KEY_BYTES = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_LIST = 0x5b;
const CLOSE_LIST = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Reads a JSON body's bytes as they arrive, chunk by chunk, and stops at the first sign that
 * the body cannot be one any route accepts: nesting deeper than MAX_JSON_DEPTH, more fields
 * than MAX_BODY_FIELDS, or a list longer than PERMISSION_LIST_MAX_ITEMS. So a hostile body is
 * refused after its first few kilobytes, before the rest is read or anything is parsed.
 *
 * It reads bytes, not decoded text: every byte of a UTF-8 multibyte character is 0x80 or above,
 * so JSON's structural characters are found in the raw bytes, and the body is decoded once, whole,
 * after it passed (a `StringDecoder` per request cost more than the scan).
 */
export class JsonShapeScanner {
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** Per open container: whether it is an array, and the separators seen in it so far. */
  readonly #open: { array: boolean; commas: number }[] = [];
  /**
   * The last string read in the top-level object, the key a list that opens next belongs to:
   * where it lies in the chunk it ended in, after the bytes it had in earlier chunks, if any.
   * Decoded only when a list opens.
   */
  #keyCollecting = false;
  #keyHead: Buffer | undefined;
  #keyChunk: Uint8Array | undefined;
  #keyStart = 0;
  #keyEnd = 0;
  /**
   * Where the key of the list open at depth 2 lies, as the four fields above were when it
   * opened: decoded only if the list is refused (every create opens one, few are refused).
   */
  #listKeyHead: Buffer | undefined;
  #listKeyChunk: Uint8Array | undefined;
  #listKeyStart = 0;
  #listKeyEnd = 0;

  /** Feeds the next chunk; returns the reason to refuse the body, if there is one. */
  feed(chunk: Uint8Array): MalformedRequestError | ValidationError | undefined {
    let depth = this.#depth;
    let inString = this.#inString;
    let escaped = this.#escaped;
    let keyCollecting = this.#keyCollecting;
    let keyStart = 0;
    let refusal: MalformedRequestError | ValidationError | undefined;
    for (let index = 0; index < chunk.length; index++) {
      const code = chunk[index] as number;
      if (inString) {
        if (escaped) escaped = false;
        else if (code === BACKSLASH) escaped = true;
        else if (code === QUOTE) {
          inString = false;
          if (keyCollecting) {
            keyCollecting = false;
            this.#keyChunk = chunk;
            this.#keyStart = keyStart;
            this.#keyEnd = index;
          }
        }
        continue;
      }
      if (code === QUOTE) {
        inString = true;
        keyCollecting = depth === 1;
        if (keyCollecting) {
          keyStart = index + 1;
          this.#keyHead = undefined;
        }
      } else if (code === OPEN_LIST || code === OPEN_OBJECT) {
        if (++depth > MAX_JSON_DEPTH) {
          refusal = tooDeep();
          break;
        }
        if (depth === 2) {
          this.#listKeyHead = this.#keyHead;
          this.#listKeyChunk = this.#keyChunk;
          this.#listKeyStart = this.#keyStart;
          this.#listKeyEnd = this.#keyEnd;
        }
        this.#open.push({ array: code === OPEN_LIST, commas: 0 });
      } else if (code === CLOSE_LIST || code === CLOSE_OBJECT) {
        depth--;
        this.#open.pop();
      } else if (code === COMMA) {
        refusal = this.#separated(depth);
        if (refusal) break;
      }
    }
    // A key still open at the chunk's end keeps its first bytes so far (the chunk is not held,
    // and a long string costs one short copy a chunk, not its whole length).
    if (keyCollecting && !refusal) {
      const kept = this.#keyHead ?? Buffer.alloc(0);
      const more = chunk.subarray(keyStart, keyStart + MAX_KEY_BYTES - kept.length);
      this.#keyHead = Buffer.concat([kept, more]);
    }
    this.#depth = depth;
    this.#inString = inString;
    this.#escaped = escaped;
    this.#keyCollecting = keyCollecting;
    return refusal;
  }

  /** The key of the list open at depth 2. */
  #listKey(): string {
    const rest =
      this.#listKeyChunk?.subarray(this.#listKeyStart, this.#listKeyEnd) ?? new Uint8Array(0);
    const key = this.#listKeyHead
      ? Buffer.concat([this.#listKeyHead, rest])
      : Buffer.from(rest.buffer, rest.byteOffset, rest.byteLength);
    return key.toString("utf8", 0, Math.min(key.length, MAX_KEY_BYTES));
  }

  /** Counts a separator in the innermost open container; refuses one too many. */
  #separated(depth: number): MalformedRequestError | ValidationError | undefined {
    const container = this.#open.at(-1);
    if (!container) return undefined;
    container.commas++;
    if (depth === 1 && !container.array && container.commas >= MAX_BODY_FIELDS) {
      return tooManyFields();
    }
    if (container.array && container.commas >= PERMISSION_LIST_MAX_ITEMS) {
      return new ValidationError([
        listTooLong(depth >= 2 ? this.#listKey() : "body", PERMISSION_LIST_MAX_ITEMS),
      ]);
    }
    return undefined;
  }
}

function tooManyFields(): MalformedRequestError {
  return new MalformedRequestError(
    `The request body has more than ${MAX_BODY_FIELDS} fields; send only the fields this request accepts.`,
  );
}

function tooDeep(): MalformedRequestError {
  return new MalformedRequestError(
    `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep; send a flat object of named fields.`,
  );
}

/**
 * Refuses a parsed body whose size alone says it is wrong, before the schema looks at each of
 * its parts: too many fields, or a list longer than any valid one. One problem, however large
 * the body, so the answer and the work stay small.
 */
export function checkBodySize(body: unknown): void {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return;
  let fields = 0;
  for (const key in body) {
    if (++fields > MAX_BODY_FIELDS) throw tooManyFields();
    const value = (body as Record<string, unknown>)[key];
    if (Array.isArray(value) && value.length > PERMISSION_LIST_MAX_ITEMS) {
      throw new ValidationError([listTooLong(key, PERMISSION_LIST_MAX_ITEMS)]);
    }
  }
}

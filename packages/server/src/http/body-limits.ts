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

/**
 * Reads JSON text as it arrives, chunk by chunk, and stops at the first sign that the body
 * cannot be one any route accepts: nesting deeper than MAX_JSON_DEPTH, more fields than
 * MAX_BODY_FIELDS, or a list longer than PERMISSION_LIST_MAX_ITEMS. So a hostile body is
 * refused after its first few kilobytes, before the rest is read or anything is parsed.
 */
export class JsonShapeScanner {
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** Per open container: whether it is an array, and the separators seen in it so far. */
  readonly #open: { array: boolean; commas: number }[] = [];
  /** The last string read in the top-level object: the key a list that opens next belongs to. */
  #key = "";
  #keyCollecting = false;
  #listKey = "";

  /** Feeds the next piece of text; returns the reason to refuse the body, if there is one. */
  feed(text: string): MalformedRequestError | ValidationError | undefined {
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (code === 0x5c) this.#escaped = true;
        else if (code === 0x22) this.#inString = false;
        else if (this.#keyCollecting && this.#key.length < 64) this.#key += text[index];
        continue;
      }
      if (code === 0x22) {
        this.#inString = true;
        this.#keyCollecting = this.#depth === 1;
        if (this.#keyCollecting) this.#key = "";
      } else if (code === 0x5b || code === 0x7b) {
        if (++this.#depth > MAX_JSON_DEPTH) return tooDeep();
        if (this.#depth === 2) this.#listKey = this.#key;
        this.#open.push({ array: code === 0x5b, commas: 0 });
      } else if (code === 0x5d || code === 0x7d) {
        this.#depth--;
        this.#open.pop();
      } else if (code === 0x2c) {
        const container = this.#open.at(-1);
        if (!container) continue;
        container.commas++;
        if (this.#depth === 1 && !container.array && container.commas >= MAX_BODY_FIELDS) {
          return tooManyFields();
        }
        if (container.array && container.commas >= PERMISSION_LIST_MAX_ITEMS) {
          return new ValidationError([
            listTooLong(this.#depth >= 2 ? this.#listKey : "body", PERMISSION_LIST_MAX_ITEMS),
          ]);
        }
      }
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

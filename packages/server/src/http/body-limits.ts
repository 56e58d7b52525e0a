import { PERMISSION_LIST_MAX_ITEMS } from "@tokenspace/contract";
import { listTooLong } from "../domain/validation-problem.js";
import { MalformedRequestError, ValidationError } from "../errors.js";

/** No body any route accepts is nested deeper than two levels; refuse far sooner than a stack would. */
export const MAX_JSON_DEPTH = 16;

/** No body any route accepts has more than three fields. */
const MAX_BODY_FIELDS = 32;

/**
 * Whether JSON text nests arrays and objects deeper than `limit`, found in one pass over the
 * text before it is parsed: a deeply nested body then costs a scan, never a deep recursion.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c) index++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b || code === 0x7b) {
      if (++depth > limit) return true;
    } else if (code === 0x5d || code === 0x7d) {
      depth--;
    }
  }
  return false;
}

export function tooDeep(): MalformedRequestError {
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
    if (++fields > MAX_BODY_FIELDS) {
      throw new MalformedRequestError(
        `The request body has more than ${MAX_BODY_FIELDS} fields; send only the fields this request accepts.`,
      );
    }
    const value = (body as Record<string, unknown>)[key];
    if (Array.isArray(value) && value.length > PERMISSION_LIST_MAX_ITEMS) {
      throw new ValidationError([listTooLong(key, PERMISSION_LIST_MAX_ITEMS, value.length)]);
    }
  }
}

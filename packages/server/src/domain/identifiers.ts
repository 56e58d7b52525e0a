import { v7 as uuidv7 } from "uuid";
import { randomBytesFromPool } from "./random-pool.js";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A new project or token id: a UUIDv7 (RFC 9562), which begins with its creation time (its
 * random bits from the pool). Ids made one after another sort together, so every index keyed
 * by id (and the audit log's index by target) grows at its end instead of touching a random
 * page per write: on SQLite that halved the system time of a create's write. The time it tells
 * is the `date_created` the token's body shows anyway; ids were never secrets.
 */
export function newId(): string {
  return uuidv7({ random: randomBytesFromPool(16) });
}

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Ids are compared and stored in lowercase so that `ABC…` and `abc…` name the same thing. */
export function normalizeId(value: string): string {
  return value.toLowerCase();
}

import { randomUUID } from "node:crypto";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function newId(): string {
  return randomUUID();
}

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Ids are compared and stored in lowercase so that `ABC…` and `abc…` name the same thing. */
export function normalizeId(value: string): string {
  return value.toLowerCase();
}

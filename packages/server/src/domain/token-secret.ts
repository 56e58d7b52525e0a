import { randomBytes } from "node:crypto";

/** `PT` followed by 48 lowercase hex characters: 192 bits from the CSPRNG. */
const SECRET_PATTERN = /^PT[0-9a-f]{48}$/;

export const SECRET_FORMAT_DESCRIPTION = "PT followed by 48 lowercase hexadecimal characters";

export function generateSecret(): string {
  return `PT${randomBytes(24).toString("hex")}`;
}

export function isWellFormedSecret(value: string): boolean {
  return SECRET_PATTERN.test(value);
}

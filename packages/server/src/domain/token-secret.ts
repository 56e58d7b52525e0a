import { randomBytes } from "node:crypto";
import { TOKEN_SECRET_PATTERN } from "@tokenspace/contract";

const SECRET_PATTERN = new RegExp(TOKEN_SECRET_PATTERN);

export function generateSecret(): string {
  return `PT${randomBytes(24).toString("hex")}`;
}

export function isWellFormedSecret(value: string): boolean {
  return SECRET_PATTERN.test(value);
}

import { TOKEN_SECRET_PATTERN } from "@tokenspace/contract";
import { randomBytesFromPool } from "./random-pool.js";

const SECRET_PATTERN = new RegExp(TOKEN_SECRET_PATTERN);

export function generateSecret(): string {
  return `PT${randomBytesFromPool(24).toString("hex")}`;
}

export function isWellFormedSecret(value: string): boolean {
  return SECRET_PATTERN.test(value);
}

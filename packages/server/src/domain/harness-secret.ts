import { createHash } from "node:crypto";
import { isWellFormedSecret } from "./token-secret.js";

/** Project ids mock mode takes besides UUIDs: what test harnesses invent (`test_proj_3fa2…`). */
export const HARNESS_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The Tokenspace secret that stands for a test harness's token. Harnesses use short tokens of
 * their own (`test_tok`); Tokenspace secrets are `PT` + 48 hex, so in mock mode such a token is
 * mapped, per project, to the secret derived from it. A well-formed secret stands for itself.
 */
export function harnessSecret(projectId: string, token: string): string {
  if (isWellFormedSecret(token)) return token;
  const digest = createHash("sha256").update(`tokenspace mock\0${projectId}\0${token}`);
  return `PT${digest.digest("hex").slice(0, 48)}`;
}

import { randomBytes } from "node:crypto";

/**
 * A project's signing key: `PSK_` followed by 48 lowercase hex characters (192 bits from the
 * CSPRNG). Shown once, when the project is created; kept only as a digest and sealed.
 */
export function generateSigningKey(): string {
  return `PSK_${randomBytes(24).toString("hex")}`;
}

/** What a sealed signing key is bound to, so it opens for its own project only. */
export function signingKeyBinding(projectId: string): string {
  return `signing key of project ${projectId}`;
}

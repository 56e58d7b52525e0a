import type { Keyring } from "./keyring.js";
import type { Permission } from "./permissions.js";
import { generateSigningKey, signingKeyBinding } from "./signing-key.js";
import type { NewProjectRecord, NewTokenRecord } from "./store.js";

/** A project's row before it is stored, with its signing key sealed; and that key. */
export function newProjectRecord(
  keyring: Keyring,
  project: { readonly id: string; readonly parentId: string | null; readonly friendlyName: string },
  now: Date,
): { readonly record: NewProjectRecord; readonly signingKey: string } {
  const signingKey = generateSigningKey();
  const sealed = keyring.seal(signingKey, signingKeyBinding(project.id));
  return {
    record: {
      ...project,
      signingKeyDigest: sealed.digest,
      sealedSigningKey: sealed.sealed,
      createdAt: now,
      updatedAt: now,
    },
    signingKey,
  };
}

/** A token's row before it is stored: its secret as a digest and sealed, never in clear. */
export function newTokenRecord(
  keyring: Keyring,
  token: {
    readonly id: string;
    readonly projectId: string;
    readonly name: string;
    readonly permissions: Permission[];
  },
  secret: string,
  now: Date,
): NewTokenRecord {
  const sealed = keyring.seal(secret, token.id);
  return {
    ...token,
    secretDigest: sealed.digest,
    sealedSecret: sealed.sealed,
    createdAt: now,
    updatedAt: now,
    enabled: true,
    expiresAt: null,
    lastUsedAt: null,
    previousSecretDigest: null,
    previousSealedSecret: null,
    previousSecretExpiresAt: null,
    expiryRecorded: false,
    lastUsedIp: null,
    rateLimit: null,
    usesRemaining: null,
    usesRefill: null,
    usesRefilledAt: null,
  };
}

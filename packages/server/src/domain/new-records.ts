import type { Keyring } from "./keyring.js";
import type { Permission } from "./permissions.js";
import type { DigestForm } from "./secret-vault.js";
import { generateSigningKey, signingKeyBinding } from "./signing-key.js";
import type { NewProjectRecord, NewTokenRecord } from "./store.js";
import type { RateLimit, UsesRefill } from "./token-limits.js";

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

/** How a new token starts: enabled, with no expiry and no limits, unless given. */
export interface NewTokenSettings {
  readonly enabled?: boolean;
  readonly expiresAt?: Date | null;
  readonly rateLimit?: RateLimit | null;
  readonly usesRemaining?: number | null;
  readonly usesRefill?: UsesRefill | null;
  readonly usesRefilledAt?: Date | null;
}

/**
 * A token's row before it is stored: its secret as a digest and sealed, never in clear. Built
 * as one object literal: a create is a hot path, and an object spread and then extended
 * field by field (a hidden-class change per field) cost about as much as sealing the secret.
 */
export function newTokenRecord(
  keyring: Keyring,
  token: {
    readonly id: string;
    readonly projectId: string;
    readonly name: string;
    readonly permissions: Permission[];
  },
  secret: string,
  form: DigestForm,
  now: Date,
  settings: NewTokenSettings = {},
): NewTokenRecord {
  const sealed = keyring.seal(secret, token.id, form);
  return {
    id: token.id,
    projectId: token.projectId,
    name: token.name,
    permissions: token.permissions,
    secretDigest: sealed.digest,
    sealedSecret: sealed.sealed,
    createdAt: now,
    updatedAt: now,
    enabled: settings.enabled ?? true,
    expiresAt: settings.expiresAt ?? null,
    lastUsedAt: null,
    previousSecretDigest: null,
    previousSealedSecret: null,
    previousSecretExpiresAt: null,
    expiryRecorded: false,
    lastUsedIp: null,
    rateLimit: settings.rateLimit ?? null,
    usesRemaining: settings.usesRemaining ?? null,
    usesRefill: settings.usesRefill ?? null,
    usesRefilledAt: settings.usesRefilledAt ?? null,
  };
}

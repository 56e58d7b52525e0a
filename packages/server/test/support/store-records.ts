import { randomBytes, randomUUID } from "node:crypto";
import { OPERATOR } from "../../src/domain/actor.js";
import { Keyring } from "../../src/domain/keyring.js";
import { type NewTokenSettings, newTokenRecord } from "../../src/domain/new-records.js";
import { SecretVault } from "../../src/domain/secret-vault.js";
import type { NewAuditRecord, NewProjectRecord, NewTokenRecord } from "../../src/domain/store.js";
import { generateSecret } from "../../src/domain/token-secret.js";

/** Records to write straight to a store, for the tests of the store layer itself. */
const keyring = new Keyring(new SecretVault(randomBytes(32)));

export function projectRecord(id: string, now = new Date()): NewProjectRecord {
  return {
    id,
    parentId: null,
    friendlyName: "Stored",
    signingKeyDigest: null,
    sealedSigningKey: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** A new token of `projectId` with a fresh secret, sealed as the server seals one. */
export function tokenRecord(
  projectId: string,
  { now = new Date(), ...settings }: NewTokenSettings & { readonly now?: Date } = {},
): NewTokenRecord {
  const token = { id: randomUUID(), projectId, name: "stored", permissions: ["chat" as const] };
  return newTokenRecord(keyring, token, generateSecret(now.getTime()), "time-led", now, settings);
}

/** The audit entry of a change by the operator to `targetId`, a token or a project. */
export function auditRecord(
  projectId: string,
  action: NewAuditRecord["action"],
  targetId: string,
  occurredAt = new Date(),
): NewAuditRecord {
  return {
    action,
    projectId,
    targetType: action.startsWith("token") ? "token" : "project",
    targetId,
    actor: OPERATOR,
    details: {},
    occurredAt,
  };
}

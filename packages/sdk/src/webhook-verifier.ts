import type { WebhookPayload } from "./contract.js";

/** Tokenspace addition: a webhook delivery whose signature or timestamp does not hold. */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
}

/** The event a verified Tokenspace webhook delivery carries: its body, and the delivery's id. */
export interface TokenspaceWebhookEvent extends WebhookPayload {
  /** The delivery's id (`webhook-id`): the same in every attempt, so receivers deduplicate by it. */
  readonly id: string;
}

export interface WebhookVerifyOptions {
  /** How far the `webhook-timestamp` may be from now, in seconds (300 by default). */
  readonly toleranceSeconds?: number;
  /** The current time in milliseconds, for tests. */
  readonly now?: () => number;
}

type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

function header(headers: HeaderSource, name: string): string {
  if (headers instanceof Headers) return headers.get(name) ?? "";
  const value = headers[name] ?? headers[name.toLowerCase()];
  return (Array.isArray(value) ? value[0] : (value as string | undefined)) ?? "";
}

function keyBytes(secret: string): Uint8Array<ArrayBuffer> {
  if (secret.startsWith("whsec_")) {
    return Uint8Array.from(atob(secret.slice("whsec_".length)), (char) => char.charCodeAt(0));
  }
  return new TextEncoder().encode(secret);
}

function base64(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

/** Compares two strings in time that depends on their length only. */
function equalInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index++) {
    difference |= a.charCodeAt(index) ^ b.charCodeAt(index);
  }
  return difference === 0;
}

/**
 * Tokenspace addition: checks a webhook delivery the way Standard Webhooks defines it (HMAC-SHA256
 * over `id.timestamp.body` with the shared secret, `v1,` signatures, a timestamp within the
 * tolerance) and returns its event; anything else throws WebhookVerificationError. Pass the raw
 * body, exactly as received.
 */
export async function verifyWebhook(
  secret: string,
  headers: HeaderSource,
  body: string,
  options: WebhookVerifyOptions = {},
): Promise<TokenspaceWebhookEvent> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !/^\d+$/.test(timestamp) || !signatures) {
    throw new WebhookVerificationError(
      "The delivery lacks its webhook-id, webhook-timestamp or webhook-signature header.",
    );
  }
  const now = (options.now ?? Date.now)() / 1000;
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) {
    throw new WebhookVerificationError("The delivery's timestamp is outside the tolerance.");
  }
  const key = await crypto.subtle.importKey(
    "raw",
    keyBytes(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const expected = base64(
    await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${body}`)),
  );
  const matches = signatures
    .split(" ")
    .some((entry) => entry.startsWith("v1,") && equalInConstantTime(entry.slice(3), expected));
  if (!matches) throw new WebhookVerificationError("The delivery's signature does not match.");
  return { id, ...(JSON.parse(body) as WebhookPayload) };
}

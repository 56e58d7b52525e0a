import { RestClient, TokenspaceVerifier, type VerifyOutcome } from "@tokenspace/sdk";

/** A project id and one of its API tokens with the `management` permission. */
export interface Credentials {
  readonly projectId: string;
  readonly token: string;
}

const STORAGE_KEY = "tokenspace.console.credentials";

/**
 * Credentials live in this tab's sessionStorage only (gone when the tab closes): never in
 * localStorage, a cookie or the URL.
 */
export function savedCredentials(): Credentials | undefined {
  const saved = sessionStorage.getItem(STORAGE_KEY);
  if (saved === null) return undefined;
  try {
    const parsed = JSON.parse(saved) as Partial<Credentials>;
    if (typeof parsed.projectId === "string" && typeof parsed.token === "string") {
      return { projectId: parsed.projectId, token: parsed.token };
    }
  } catch {
    // Unreadable: treated as absent, and removed below.
  }
  sessionStorage.removeItem(STORAGE_KEY);
  return undefined;
}

export function saveCredentials(credentials: Credentials): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(credentials));
}

export function forgetCredentials(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/**
 * Marks the console's requests as a page script's, so a refusal comes without a Basic
 * challenge: the browser would answer one with its own sign-in dialog over the console.
 */
const fetchFromPage: typeof fetch = (input, init = {}) =>
  fetch(input, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), "x-requested-with": "XMLHttpRequest" },
  });

/**
 * Whether the credentials authenticate and hold `management`, which every screen needs: asked
 * of /auth/verify, which tells a wrong token (401) from one without the permission (403).
 */
export function checkCredentials(credentials: Credentials): Promise<VerifyOutcome> {
  const bytes = new TextEncoder().encode(`${credentials.projectId}:${credentials.token}`);
  const authorization = `Basic ${btoa(String.fromCharCode(...bytes))}`;
  return new TokenspaceVerifier({
    baseUrl: window.location.origin,
    fetchImpl: fetchFromPage,
  }).verify(authorization, { permissions: ["management"] });
}

/**
 * A client of the server that served this page. It does not retry: a person sees a refusal
 * (and when to try again) at once rather than a button that seems stuck.
 */
export function clientFor(credentials: Credentials): RestClient {
  return new RestClient({
    project: credentials.projectId,
    token: credentials.token,
    baseUrl: window.location.origin,
    fetchImpl: fetchFromPage,
    timeoutMs: 15_000,
    retry: { retries: 0 },
  });
}

import type { ManagedToken } from "@tokenspace/sdk";

/** Enabled, disabled or expired: whether the token authenticates right now. */
export function TokenStatus({ token }: { token: ManagedToken }) {
  if (!token.enabled) return <span class="status off">Disabled</span>;
  if (token.expires_at && Date.parse(token.expires_at) <= Date.now()) {
    return <span class="status off">Expired</span>;
  }
  return <span class="status on">Enabled</span>;
}

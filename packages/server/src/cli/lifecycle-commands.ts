import type { AuditAction, AuditEntry, ManagedToken } from "@tokenspace/contract";
import { auditEntryView } from "../domain/audit-log.js";
import { DURATION_FORMAT, parseDuration } from "../domain/duration.js";
import { NotFoundError, UsageError } from "../domain/errors.js";
import type { Page } from "../domain/keyset-page.js";
import type { PageCursor } from "../domain/page-cursor.js";
import { type Flags, print, projectOf } from "./cli-flags.js";
import { client, isRemote, remote } from "./remote-commands.js";
import { withStore } from "./store-commands.js";

const PAGE = 1000;

/** Every item of a keyset-paged list read straight from the store. */
async function everyPage<T>(
  read: (cursor: PageCursor | undefined) => Promise<Page<T>>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: PageCursor | undefined;
  do {
    const page = await read(cursor);
    items.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return items;
}

/** The project a store command acts on, which must exist. */
async function requireProject(flags: Flags, command: string): Promise<string> {
  const project = projectOf(flags);
  if (!project) throw new UsageError(`${command} needs --project ID`);
  return project;
}

/**
 * `tokenspace audit --project ID [--since 24h] [--until TIME] [--action A] [--target ID]`:
 * the audit log, oldest first, from the store or (with --url) through the API.
 */
export async function showAudit(flags: Flags): Promise<void> {
  const query = {
    ...(flags.since !== undefined && { since: flags.since }),
    ...(flags.until !== undefined && { until: flags.until }),
    ...(flags.action !== undefined && { action: flags.action }),
    ...(flags.target !== undefined && { target: flags.target }),
  };
  const entries: AuditEntry[] = isRemote(flags)
    ? await remote(() =>
        client(flags)
          .tokenspace.audit.list({ ...query, action: query.action as AuditAction, pageSize: PAGE })
          .all(),
      )
    : await withStore(flags, async (tokenspace) => {
        const projectId = await requireProject(flags, "audit");
        if (!(await tokenspace.projects.find(projectId))) {
          throw new NotFoundError(`No project ${projectId} exists in this store.`);
        }
        const records = await everyPage((cursor) =>
          tokenspace.audit.list(projectId, query, { pageSize: PAGE, cursor }),
        );
        return records.map(auditEntryView);
      });
  const describe = (entry: AuditEntry) =>
    [
      entry.occurred_at,
      entry.action.padEnd(18),
      `${entry.target.type} ${entry.target.id ?? "-"}`,
      `by ${entry.actor.token_id ?? "operator"}`,
      entry.client_address ? `from ${entry.client_address}` : "",
      Object.keys(entry.details).length > 0 ? JSON.stringify(entry.details) : "",
    ]
      .filter(Boolean)
      .join("  ");
  print(flags, entries, entries.length === 0 ? "No entries." : entries.map(describe).join("\n"));
}

/** `tokenspace tokens expiring [--within 7d]`: tokens that expire between now and then. */
export async function showExpiringTokens(flags: Flags): Promise<void> {
  const within = flags.within ?? "7d";
  const withinMs = parseDuration(within);
  if (withinMs === undefined) throw new UsageError(`--within must be ${DURATION_FORMAT}.`);
  const tokens: ManagedToken[] = isRemote(flags)
    ? await remote(() => client(flags).tokenspace.tokens.expiring(within).all())
    : await withStore(flags, async (tokenspace) => {
        const projectId = await requireProject(flags, "tokens expiring");
        return everyPage((cursor) =>
          tokenspace.tokens.listManaged(
            projectId,
            { expiringWithin: within },
            { pageSize: PAGE, cursor },
          ),
        );
      });
  const describe = (token: ManagedToken) =>
    `${token.expires_at}  ${token.id}  ${token.name}${token.enabled ? "" : "  (disabled)"}`;
  print(
    flags,
    tokens,
    tokens.length === 0
      ? `No token expires within ${within}.`
      : tokens
          .sort((a, b) => String(a.expires_at).localeCompare(String(b.expires_at)))
          .map(describe)
          .join("\n"),
  );
}

export function describeManaged(token: ManagedToken): string {
  const lastUse = token.last_used_at
    ? `${token.last_used_at}${token.last_used_ip ? ` from ${token.last_used_ip}` : ""}`
    : "never";
  return [
    `${token.id}  ${token.name}  ${token.permissions.join(",")}`,
    `  enabled: ${token.enabled ? "yes" : "no"}   expires: ${token.expires_at ?? "never"}   last used: ${lastUse}`,
    ...(token.previous_token_expires_at
      ? [`  previous secret works until ${token.previous_token_expires_at}`]
      : []),
    ...(token.rate_limit
      ? [`  rate limit: ${token.rate_limit.limit} per ${token.rate_limit.window}`]
      : []),
    ...(token.uses_remaining !== null
      ? [
          `  uses left: ${token.uses_remaining}${token.uses_refill ? `, back to ${token.uses_refill.amount} every ${token.uses_refill.every}` : ""}`,
        ]
      : []),
  ].join("\n");
}

/** `tokenspace tokens show TOKEN_ID`: a token's lifecycle. */
export async function showToken(flags: Flags, tokenId: string | undefined): Promise<void> {
  if (!tokenId) throw new UsageError("tokens show needs TOKEN_ID");
  const token = await remote(() => client(flags).tokenspace.tokens.get(tokenId));
  print(flags, token, describeManaged(token));
}

/**
 * `tokenspace tokens disable|enable TOKEN_ID` and `tokens expire TOKEN_ID --at TIME|never`:
 * the lifecycle fields, through the extension surface.
 */
export async function changeLifecycle(
  flags: Flags,
  tokenId: string | undefined,
  change: "disable" | "enable" | "expire",
): Promise<void> {
  if (!tokenId) throw new UsageError(`tokens ${change} needs TOKEN_ID`);
  if (change === "expire" && flags.at === undefined) {
    throw new UsageError("tokens expire needs --at TIME (RFC 3339) or --at never");
  }
  const changes =
    change === "expire"
      ? { expires_at: flags.at === "never" ? null : (flags.at ?? null) }
      : { enabled: change === "enable" };
  const token = await remote(() => client(flags).tokenspace.tokens.update(tokenId, changes));
  print(flags, token, describeManaged(token));
}

/** `tokenspace tokens reroll TOKEN_ID [--overlap 1h]`: a new secret, shown this once. */
export async function rerollToken(flags: Flags, tokenId: string | undefined): Promise<void> {
  if (!tokenId) throw new UsageError("tokens reroll needs TOKEN_ID [--overlap 1h]");
  const token = await remote(() =>
    client(flags).tokenspace.tokens.reroll(tokenId, {
      ...(flags.overlap !== undefined && { overlap: flags.overlap }),
    }),
  );
  print(
    flags,
    token,
    `${describeManaged(token)}\nNew secret (shown this once; GET on the compatibility API shows it again): ${token.token}`,
  );
}

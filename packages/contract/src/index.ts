/**
 * The wire contract Tokenspace's server and SDK share: what a token and an account look like,
 * which permissions exist, and the limits on each field. One file with no imports and no
 * runtime dependencies, so the SDK can compile it in as one of its own modules.
 */

/** The permissions an API token can hold, in SignalWire's canonical order. */
export const PERMISSIONS = [
  "calling",
  "chat",
  "datasphere",
  "fax",
  "management",
  "messaging",
  "numbers",
  "pubsub",
  "storage",
  "tasking",
  "video",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/**
 * What each permission lets a token do, in one line for people (Tokenspace's wording; the
 * reference names the permissions without describing them).
 */
export const PERMISSION_DESCRIPTIONS: Readonly<Record<Permission, string>> = {
  calling: "Make, receive and control voice calls.",
  chat: "Send and receive chat messages in conversations.",
  datasphere: "Upload documents to Datasphere and search them.",
  fax: "Send and receive faxes.",
  management: "Manage the project: API tokens, subprojects and settings.",
  messaging: "Send and receive SMS and MMS messages.",
  numbers: "Search for, buy, configure and release phone numbers.",
  pubsub: "Publish and subscribe on PubSub channels.",
  storage: "Read and write stored files such as recordings and media.",
  tasking: "Queue and run tasks.",
  video: "Create video rooms and join video sessions.",
};

/** A token name is 1 to this many characters, counted as code points. */
export const TOKEN_NAME_MAX_LENGTH = 255;

/**
 * A permission list may hold at most this many entries (duplicates collapse to at most eleven):
 * a longer list is refused whole, without looking at its entries.
 */
export const PERMISSION_LIST_MAX_ITEMS = 64;

/** An account's FriendlyName is 1 to this many characters, counted as code points. */
export const PROJECT_NAME_MAX_LENGTH = 250;

/** Items per list page when the request names no size, and the most a page may hold. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** An API token's secret: `PT` followed by 48 lowercase hex characters (192 random bits). */
export const TOKEN_SECRET_PATTERN = "^PT[0-9a-f]{48}$";
export const TOKEN_SECRET_DESCRIPTION = "PT followed by 48 lowercase hexadecimal characters";

/** An API token as lists show it: without its secret. */
export interface TokenSummary {
  readonly id: string;
  readonly name: string;
  readonly permissions: Permission[];
}

/** An API token as create, update and get return it: with its secret. */
export interface Token extends TokenSummary {
  readonly token: string;
}

/** The body of a token create, on both surfaces. */
export interface CreateTokenParams {
  readonly name: string;
  readonly permissions: readonly Permission[];
  /** Create the token for this subproject of the project. */
  readonly subproject_id?: string;
}

/** The body of a token update: fields left out keep their values. */
export interface UpdateTokenParams {
  readonly name?: string;
  /** Replaces the whole set when given. */
  readonly permissions?: readonly Permission[];
}

/** A project (account) or subproject on the compatibility API. */
export interface Account {
  readonly sid: string;
  readonly friendly_name: string;
  readonly status: "active";
  readonly auth_token: "redacted";
  readonly date_created: string;
  readonly date_updated: string;
  readonly type: "Full";
  readonly owner_account_sid: string;
  readonly region_preference: string;
  readonly uri: string;
  readonly subproject: boolean;
  readonly signing_key: string | null;
  readonly subresource_uris: AccountSubresourceUris;
}

/** The URIs of the resources linked to a project: null for those SignalWire does not support. */
export interface AccountSubresourceUris {
  readonly addresses: null;
  readonly available_phone_numbers: string;
  readonly applications: string;
  readonly authorized_connect_apps: null;
  readonly calls: string;
  readonly conferences: string;
  readonly connect_apps: null;
  readonly incoming_phone_numbers: string;
  readonly keys: null;
  readonly notifications: null;
  readonly outgoing_caller_ids: null;
  readonly queues: string;
  readonly recordings: string;
  readonly sandbox: null;
  readonly sip: null;
  readonly short_codes: null;
  readonly messages: string;
  readonly transcriptions: string;
  readonly usage: null;
}

/** The paging fields of every compatibility list page. */
export interface CompatPageLinks {
  readonly uri: string;
  readonly first_page_uri: string;
  readonly next_page_uri: string | null;
  readonly previous_page_uri: string | null;
  readonly page: number;
  readonly page_size: number;
}

/** One page of `GET /Accounts/{AccountSid}/tokens`. */
export interface CompatTokenList extends CompatPageLinks {
  readonly tokens: TokenSummary[];
}

/** One page of `GET /Accounts`. */
export interface CompatAccountList extends CompatPageLinks {
  readonly accounts: Account[];
}

/** Where a native or extension list page is, and its neighbours (null at an end). */
export interface NativeListLinks {
  readonly self: string;
  readonly first: string;
  readonly next: string | null;
  readonly prev: string | null;
}

/** One page of the native `GET /api/project/tokens`. */
export interface NativeTokenList {
  readonly links: NativeListLinks;
  readonly data: TokenSummary[];
}

/*
 * Tokenspace's extension surface (`/api/tokenspace`): what SignalWire's shapes cannot carry,
 * a token's lifecycle and the audit log, beside those shapes and never inside them.
 */

/** The longest a rerolled token's previous secret may keep working: 7 days, in seconds. */
export const REROLL_OVERLAP_MAX_SECONDS = 7 * 24 * 60 * 60;

/** The furthest ahead an expiry may be set, in years. */
export const EXPIRY_MAX_YEARS = 10;

/** The most verifications a rate limit may allow in one window. */
export const RATE_LIMIT_MAX = 1_000_000_000;

/** A rate limit's window: whole seconds, from 1 second to 1 day. */
export const RATE_WINDOW_MAX_SECONDS = 24 * 60 * 60;

/** The most uses a token may hold, and the most one refill gives. */
export const USES_MAX = 1_000_000_000_000;

/** How often uses may be refilled: from every minute to every 366 days, in whole seconds. */
export const REFILL_EVERY_MIN_SECONDS = 60;
export const REFILL_EVERY_MAX_SECONDS = 366 * 24 * 60 * 60;

/** At most `limit` allowed verifications in each fixed window of `window` ("1s", "1m", "1h"…). */
export interface RateLimit {
  readonly limit: number;
  /** Read back as the largest unit that divides it: "90s", "5m", "1h", "1d". */
  readonly window: string;
}

/** Every `every` ("1d", "30d"…) the uses left are set back to `amount`. */
export interface UsesRefill {
  readonly amount: number;
  readonly every: string;
}

/** Why a verification was refused: the `X-Tokenspace-Reason` header of every refusal. */
export const REFUSAL_REASONS = [
  "unauthenticated",
  "disabled",
  "expired",
  "forbidden",
  "rate_limited",
  "usage_exceeded",
] as const;

export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** A token with its lifecycle, as the extension surface shows it (without its secret). */
export interface ManagedToken {
  readonly id: string;
  readonly project_id: string;
  readonly name: string;
  readonly permissions: Permission[];
  /** A disabled token is refused like a deleted one until it is enabled again. */
  readonly enabled: boolean;
  /** RFC 3339; from this instant the token authenticates nowhere. Null: it never expires. */
  readonly expires_at: string | null;
  /** The last successful authentication, to the second (recorded at most a second late). */
  readonly last_used_at: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  /** After a reroll with an overlap: until when the previous secret still works. */
  readonly previous_token_expires_at: string | null;
  /** The client address of that authentication, as Tokenspace saw it (see TOKENSPACE_TRUST_PROXY). */
  readonly last_used_ip: string | null;
  /** Null: verifications are not rate limited. */
  readonly rate_limit: RateLimit | null;
  /** Verifications left; each allowed one spends one. Null: unlimited. */
  readonly uses_remaining: number | null;
  /** Null: uses are never refilled. */
  readonly uses_refill: UsesRefill | null;
}

/** A managed token as create and reroll return it: with its new secret, shown this once. */
export interface IssuedManagedToken extends ManagedToken {
  readonly token: string;
}

/** The limits a token's verifications are held to, as create and update take them. */
export interface TokenLimitParams {
  /** `window` as a number is seconds. Null removes the limit. */
  readonly rate_limit?: { readonly limit: number; readonly window: string | number } | null;
  /** Null: unlimited (and no refill). */
  readonly uses_remaining?: number | null;
  /** `every` as a number is seconds. Given alone on a token without uses, it starts at `amount`. */
  readonly uses_refill?: { readonly amount: number; readonly every: string | number } | null;
}

export interface CreateManagedTokenParams extends CreateTokenParams, TokenLimitParams {
  readonly expires_at?: string | null;
  readonly enabled?: boolean;
}

export interface UpdateManagedTokenParams extends UpdateTokenParams, TokenLimitParams {
  /** An RFC 3339 time in the future, or null to remove the expiry. */
  readonly expires_at?: string | null;
  readonly enabled?: boolean;
}

/** How finely usage is counted back: one bucket a minute, an hour or a day (UTC). */
export const USAGE_GRANULARITIES = ["minute", "hour", "day"] as const;
export type UsageGranularity = (typeof USAGE_GRANULARITIES)[number];

/** The most buckets one usage answer holds: 7 days of minutes. */
export const USAGE_MAX_BUCKETS = 7 * 24 * 60;

/** Verifications in one bucket, from `start` (RFC 3339) for one granularity. */
export interface UsageBucket {
  readonly start: string;
  readonly allowed: number;
  readonly refused: number;
}

/**
 * Verifications (forward auth, Envoy, introspection) over a period, oldest bucket first, every
 * bucket present; `allowed` and `refused` are the period's totals.
 */
export interface Usage {
  readonly since: string;
  readonly granularity: UsageGranularity;
  readonly allowed: number;
  readonly refused: number;
  readonly buckets: UsageBucket[];
}

export interface RerollTokenParams {
  /**
   * How long the previous secret keeps working: seconds, or a duration such as "30m", "12h",
   * "7d"; 0 (the default) stops it at once. At most 7 days.
   */
  readonly overlap?: number | string;
}

/** The actions the audit log records. */
export const AUDIT_ACTIONS = [
  "token.created",
  "token.imported",
  "token.updated",
  "token.disabled",
  "token.enabled",
  "token.rerolled",
  "token.deleted",
  "token.expired",
  "project.created",
  "project.renamed",
  "subproject.created",
  "subproject.renamed",
  "key.rotated",
  "fixtures.restored",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One recorded change. Nothing secret: no token, no digest. */
export interface AuditEntry {
  /** Increasing with time within one store. */
  readonly id: number;
  readonly action: AuditAction;
  /** The project the target belongs to; null for the whole service (a key rotation). */
  readonly project_id: string | null;
  readonly target: { readonly type: "token" | "project" | "server"; readonly id: string | null };
  /** Who acted: the token that authenticated the request; both null for the operator's CLI. */
  readonly actor: { readonly project_id: string | null; readonly token_id: string | null };
  readonly request_id: string | null;
  readonly client_address: string | null;
  /** What changed, such as the fields an update named. */
  readonly details: Readonly<Record<string, unknown>>;
  readonly occurred_at: string;
}

/** One page of an extension-surface list. */
export interface ExtensionList<T> {
  readonly links: NativeListLinks;
  readonly data: T[];
}

/** The events a webhook hears of. */
export type WebhookEventType = "token.deleted" | "token.expired" | "token.rerolled";

/** A webhook delivery's body (Standard Webhooks: `type`, `timestamp`, `data`). */
export interface WebhookPayload {
  readonly type: WebhookEventType;
  /** When the change happened, RFC 3339. */
  readonly timestamp: string;
  readonly data: {
    readonly token: { readonly id: string; readonly project_id: string; readonly name: string };
  };
}

import type {
  AuditAction,
  AuditEntry,
  CreateManagedTokenParams,
  IssuedManagedToken,
  ManagedToken,
  Permission,
  RerollTokenParams,
  UpdateManagedTokenParams,
  Usage,
  UsageGranularity,
} from "./contract.js";
import { extensionPage, PagedList } from "./paged-list.js";
import type { Transport } from "./transport.js";
import type { ListParams, Page, RequestParams } from "./types.js";

const EXTENSION = "/api/tokenspace";

/** Filters of `client.tokenspace.tokens.list`. */
export interface ManagedTokenListParams extends ListParams {
  /** Only tokens expiring between now and this far ahead: seconds, or "12h", "7d"... */
  readonly expiringWithin?: string | number;
  /** Only tokens of this project: the client's own or one of its subprojects. */
  readonly projectId?: string;
  /** Only tokens whose name contains this text, ignoring case. */
  readonly name?: string;
}

/** Filters of `client.tokenspace.audit.list`. */
export interface AuditListParams extends ListParams {
  /** Only entries of this project: the client's own or one of its subprojects. */
  readonly projectId?: string;
  /** Entries about this token or project. */
  readonly target?: string;
  readonly action?: AuditAction;
  /** An RFC 3339 time, or how long ago ("24h"). */
  readonly since?: string;
  readonly until?: string;
  /** "oldest_first" (the default) or "newest_first". */
  readonly order?: "oldest_first" | "newest_first";
}

/** Which verifications `usage` counts back: from when, and in which buckets. */
export interface UsageParams {
  /** An RFC 3339 time, or how long ago: "24h", "7d" (the default). */
  readonly since?: string;
  /** "minute", "hour" (the default) or "day"; at most 10 080 buckets. */
  readonly granularity?: UsageGranularity;
}

/** `client.tokenspace.usage`'s filters: also one project of the family. */
export interface ProjectUsageParams extends UsageParams {
  readonly projectId?: string;
}

/**
 * Tokenspace addition, `client.tokenspace.tokens`: tokens of the client's project and its
 * subprojects with their lifecycle (expiry, enabled, last used, reroll), on /api/tokenspace.
 */
export class ManagedTokens {
  constructor(private readonly transport: Transport) {}

  /** Creates a token; the answer holds its secret. */
  create(
    params: CreateManagedTokenParams,
    options: RequestParams = {},
  ): Promise<IssuedManagedToken> {
    return this.transport.request("POST", `${EXTENSION}/tokens`, { body: params, ...options });
  }

  get(tokenId: string, options: RequestParams = {}): Promise<ManagedToken> {
    return this.transport.request(
      "GET",
      `${EXTENSION}/tokens/${encodeURIComponent(tokenId)}`,
      options,
    );
  }

  /** Name, permissions, `expires_at` (null removes it) and `enabled`. */
  update(
    tokenId: string,
    params: UpdateManagedTokenParams,
    options: RequestParams = {},
  ): Promise<ManagedToken> {
    return this.transport.request("PATCH", `${EXTENSION}/tokens/${encodeURIComponent(tokenId)}`, {
      body: params,
      ...options,
    });
  }

  disable(tokenId: string, options: RequestParams = {}): Promise<ManagedToken> {
    return this.update(tokenId, { enabled: false }, options);
  }

  enable(tokenId: string, options: RequestParams = {}): Promise<ManagedToken> {
    return this.update(tokenId, { enabled: true }, options);
  }

  /** A new secret (in the answer, this once); the old one works for `overlap`, then stops. */
  reroll(
    tokenId: string,
    params: RerollTokenParams = {},
    options: RequestParams = {},
  ): Promise<IssuedManagedToken> {
    return this.transport.request(
      "POST",
      `${EXTENSION}/tokens/${encodeURIComponent(tokenId)}/reroll`,
      { body: params, ...options },
    );
  }

  delete(tokenId: string, options: RequestParams = {}): Promise<void> {
    return this.transport.request(
      "DELETE",
      `${EXTENSION}/tokens/${encodeURIComponent(tokenId)}`,
      options,
    );
  }

  /**
   * One page. With a filter the server looks at a bounded stretch of the list per request, so a
   * page may hold fewer than `pageSize` items, or none, and still have a `nextPageToken`.
   */
  async listPage(params: ManagedTokenListParams = {}): Promise<Page<ManagedToken>> {
    return extensionPage(this.transport, `${EXTENSION}/tokens`, params, {
      expiring_within: params.expiringWithin,
      project_id: params.projectId,
      name: params.name,
    });
  }

  /** Every token, a page at a time as iteration goes. */
  list(params: ManagedTokenListParams = {}): PagedList<ManagedToken> {
    return new PagedList((pageToken) => this.listPage({ ...params, pageToken }), params.pageToken);
  }

  /** A token's verifications, allowed and refused, in buckets (every bucket, empty ones too). */
  usage(tokenId: string, params: UsageParams = {}, options: RequestParams = {}): Promise<Usage> {
    return this.transport.request(
      "GET",
      `${EXTENSION}/tokens/${encodeURIComponent(tokenId)}/usage`,
      { query: { since: params.since, granularity: params.granularity }, ...options },
    );
  }

  /** Tokens expiring between now and `within` ("7d" by default). */
  expiring(within: string | number = "7d"): PagedList<ManagedToken> {
    return this.list({ expiringWithin: within });
  }
}

/**
 * Tokenspace addition, `client.tokenspace.audit`: who changed what and when, for the client's
 * project, its subprojects and the service, oldest first unless asked otherwise.
 */
export class AuditLog {
  constructor(private readonly transport: Transport) {}

  /** One page; filtered by action or time, it may be short or empty and still have a next one. */
  async listPage(params: AuditListParams = {}): Promise<Page<AuditEntry>> {
    return extensionPage(this.transport, `${EXTENSION}/audit`, params, {
      project_id: params.projectId,
      target: params.target,
      action: params.action,
      since: params.since,
      until: params.until,
      order: params.order,
    });
  }

  list(params: AuditListParams = {}): PagedList<AuditEntry> {
    return new PagedList((pageToken) => this.listPage({ ...params, pageToken }), params.pageToken);
  }
}

/** An introspected token: active with its facts, or just inactive. */
export type Introspection =
  | {
      readonly active: true;
      readonly project_id: string;
      readonly token_id: string;
      readonly name: string;
      readonly permissions: Permission[];
    }
  | { readonly active: false };

/**
 * Tokenspace addition, `client.tokenspace`: Tokenspace's own endpoints for services. Not part of
 * SignalWire's SDK, and not served by SignalWire.
 */
export class TokenspaceResource {
  readonly tokens: ManagedTokens;
  readonly audit: AuditLog;

  constructor(private readonly transport: Transport) {
    this.tokens = new ManagedTokens(transport);
    this.audit = new AuditLog(transport);
  }

  /**
   * The verifications of every token of the client's project and its subprojects (or of one of
   * them), allowed and refused, in buckets.
   */
  usage(params: ProjectUsageParams = {}, options: RequestParams = {}): Promise<Usage> {
    return this.transport.request("GET", `${EXTENSION}/usage`, {
      query: { since: params.since, granularity: params.granularity, project_id: params.projectId },
      ...options,
    });
  }

  /**
   * Looks a token up (POST /auth/introspect): active for a token of the client's project or one
   * of its subprojects; any other token is `{ active: false }`. Needs a management token.
   */
  introspect(token: string, options: RequestParams = {}): Promise<Introspection> {
    return this.transport.request("POST", "/auth/introspect", { body: { token }, ...options });
  }
}

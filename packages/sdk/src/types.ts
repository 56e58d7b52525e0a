import type { Permission } from "./permissions.js";

/** An API token as create, update and get return it: with its secret. */
export interface Token {
  readonly id: string;
  readonly name: string;
  readonly permissions: Permission[];
  readonly token: string;
}

/** An API token as lists show it: without its secret. */
export interface TokenSummary {
  readonly id: string;
  readonly name: string;
  readonly permissions: Permission[];
}

export interface CreateTokenParams {
  readonly name: string;
  readonly permissions: readonly Permission[];
  /** Create the token for this subproject of the project. */
  readonly subproject_id?: string;
}

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
  readonly subresource_uris: Record<string, string | null>;
}

export interface AccountParams {
  readonly friendlyName: string;
}

export interface ListParams {
  /** Items per page, 1 to 1000. */
  readonly pageSize?: number;
  /** Start from this page (a token from a previous page); the first page when left out. */
  readonly pageToken?: string;
  readonly signal?: AbortSignal;
}

export interface AccountListParams extends ListParams {
  /** Only accounts with exactly this name. */
  readonly friendlyName?: string;
}

export interface RequestParams {
  readonly signal?: AbortSignal;
}

/** One page of a list, and the tokens of its neighbours. */
export interface Page<T> {
  readonly items: T[];
  readonly nextPageToken: string | undefined;
  readonly previousPageToken: string | undefined;
}

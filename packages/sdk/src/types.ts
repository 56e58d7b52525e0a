/** The wire shapes are the contract's, defined there once. */
export type {
  Account,
  AuditAction,
  AuditEntry,
  CompatAccountList,
  CompatTokenList,
  CreateManagedTokenParams,
  CreateTokenParams,
  IssuedManagedToken,
  ManagedToken,
  NativeTokenList,
  RateLimit,
  RerollTokenParams,
  Token,
  TokenLimitParams,
  TokenSummary,
  UpdateManagedTokenParams,
  UpdateTokenParams,
  UsesRefill,
} from "./contract.js";

/** The body of `compat.accounts.create` and `update`, as SignalWire's API names it. */
export interface AccountBody {
  readonly FriendlyName: string;
}

/** Query parameters of a compatibility list, passed through as given. */
export interface CompatListParams {
  /** Items per page, 1 to 1000. */
  readonly PageSize?: number;
  readonly Page?: number;
  /** From a previous page's `next_page_uri` or `previous_page_uri`. */
  readonly PageToken?: string;
}

/** Query parameters of `compat.accounts.list`. */
export interface CompatAccountListParams extends CompatListParams {
  /** Only accounts with exactly this name. */
  readonly FriendlyName?: string;
}

/** Query parameters of the native list, passed through as given. */
export interface NativeListParams {
  readonly page_size?: number;
  readonly page_token?: string;
}

/** Tokenspace addition: the surface-neutral paging of `iterate()` and `listPage()`. */
export interface ListParams {
  /** Items per page, 1 to 1000. */
  readonly pageSize?: number;
  /** Start from this page (a token from a previous page); the first page when left out. */
  readonly pageToken?: string;
  readonly signal?: AbortSignal;
}

/** Tokenspace addition: `ListParams` with the accounts list's name filter. */
export interface AccountListParams extends ListParams {
  /** Only accounts with exactly this name. */
  readonly friendlyName?: string;
}

/** Tokenspace addition: options of a single call. */
export interface RequestParams {
  readonly signal?: AbortSignal;
}

/** Tokenspace addition: one page of a list, and the tokens of its neighbours. */
export interface Page<T> {
  readonly items: T[];
  readonly nextPageToken: string | undefined;
  readonly previousPageToken: string | undefined;
}

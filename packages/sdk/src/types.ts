/** The wire shapes are the contract's, defined there once. */
export type {
  Account,
  CreateTokenParams,
  Token,
  TokenSummary,
  UpdateTokenParams,
} from "./contract.js";

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

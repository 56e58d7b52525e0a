import { PagedList, pageTokenOf } from "./paged-list.js";
import type { Transport } from "./transport.js";
import type {
  CreateTokenParams,
  ListParams,
  Page,
  RequestParams,
  Token,
  TokenSummary,
  UpdateTokenParams,
} from "./types.js";

interface CompatTokenList {
  next_page_uri: string | null;
  previous_page_uri: string | null;
  tokens: TokenSummary[];
}

/** `client.compat.tokens`: /api/laml/2010-04-01/Accounts/{project}/tokens. */
export class CompatTokens {
  constructor(private readonly transport: Transport) {}

  #path(suffix = ""): string {
    return `/api/laml/2010-04-01/Accounts/${encodeURIComponent(this.transport.project)}/tokens${suffix}`;
  }

  create(params: CreateTokenParams, options: RequestParams = {}): Promise<Token> {
    return this.transport.request("POST", this.#path(), { body: params, ...options });
  }

  update(tokenId: string, params: UpdateTokenParams, options: RequestParams = {}): Promise<Token> {
    return this.transport.request("PATCH", this.#path(`/${encodeURIComponent(tokenId)}`), {
      body: params,
      ...options,
    });
  }

  /** Resolves to `{}` once the token is deleted. */
  delete(tokenId: string, options: RequestParams = {}): Promise<Record<string, never>> {
    return this.transport.request("DELETE", this.#path(`/${encodeURIComponent(tokenId)}`), options);
  }

  get(tokenId: string, options: RequestParams = {}): Promise<Token> {
    return this.transport.request("GET", this.#path(`/${encodeURIComponent(tokenId)}`), options);
  }

  /** Every token of the project (without secrets), across pages. */
  list(params: ListParams = {}): PagedList<TokenSummary> {
    return new PagedList((pageToken) => this.listPage({ ...params, pageToken }), params.pageToken);
  }

  async listPage(params: ListParams = {}): Promise<Page<TokenSummary>> {
    const page = await this.transport.request<CompatTokenList>("GET", this.#path(), {
      query: { PageSize: params.pageSize, PageToken: params.pageToken },
      signal: params.signal,
    });
    return {
      items: page.tokens,
      nextPageToken: pageTokenOf(page.next_page_uri, "PageToken"),
      previousPageToken: pageTokenOf(page.previous_page_uri, "PageToken"),
    };
  }
}

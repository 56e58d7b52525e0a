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

interface NativeTokenList {
  links: { next: string | null; prev: string | null };
  data: TokenSummary[];
}

const PATH = "/api/project/tokens";

/** `client.project.tokens`: /api/project/tokens, for the project the client authenticates as. */
export class ProjectTokens {
  constructor(private readonly transport: Transport) {}

  create(params: CreateTokenParams, options: RequestParams = {}): Promise<Token> {
    return this.transport.request("POST", PATH, { body: params, ...options });
  }

  update(tokenId: string, params: UpdateTokenParams, options: RequestParams = {}): Promise<Token> {
    return this.transport.request("PATCH", `${PATH}/${encodeURIComponent(tokenId)}`, {
      body: params,
      ...options,
    });
  }

  /** Resolves to `{}` once the token is deleted. */
  delete(tokenId: string, options: RequestParams = {}): Promise<Record<string, never>> {
    return this.transport.request("DELETE", `${PATH}/${encodeURIComponent(tokenId)}`, options);
  }

  get(tokenId: string, options: RequestParams = {}): Promise<Token> {
    return this.transport.request("GET", `${PATH}/${encodeURIComponent(tokenId)}`, options);
  }

  /** Every token of the project (without secrets), across pages. */
  list(params: ListParams = {}): PagedList<TokenSummary> {
    return new PagedList((pageToken) => this.listPage({ ...params, pageToken }), params.pageToken);
  }

  async listPage(params: ListParams = {}): Promise<Page<TokenSummary>> {
    const page = await this.transport.request<NativeTokenList>("GET", PATH, {
      query: { page_size: params.pageSize, page_token: params.pageToken },
      signal: params.signal,
    });
    return {
      items: page.data,
      nextPageToken: pageTokenOf(page.links.next, "page_token"),
      previousPageToken: pageTokenOf(page.links.prev, "page_token"),
    };
  }
}

import { PagedList } from "./paged-list.js";
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

/** Query parameters as the transport sends them. */
export type Query = Readonly<Record<string, string | number | undefined>>;

/**
 * The token operations both surfaces offer; a surface says where its tokens live and how its
 * list pages look. `create`, `update`, `delete` and `list` are SignalWire's calls: bodies and
 * query parameters go out as given, answers come back as the API sends them. `get`,
 * `listPage` and `iterate` are Tokenspace additions.
 */
export abstract class TokenResource<RawPage, RawListParams extends object> {
  constructor(protected readonly transport: Transport) {}

  /** The collection's path, e.g. `/api/project/tokens`. */
  protected abstract get path(): string;

  /** One surface-neutral page of a raw page. */
  protected abstract toPage(page: RawPage): Page<TokenSummary>;

  /** The query that asks for a surface-neutral page. */
  protected abstract pageQuery(params: ListParams): Query;

  create(params: CreateTokenParams, options: RequestParams = {}): Promise<Token> {
    return this.transport.request("POST", this.path, { body: params, ...options });
  }

  update(tokenId: string, params: UpdateTokenParams, options: RequestParams = {}): Promise<Token> {
    return this.transport.request("PATCH", this.#tokenPath(tokenId), { body: params, ...options });
  }

  /** Resolves to `{}` once the token is deleted. */
  delete(tokenId: string, options: RequestParams = {}): Promise<Record<string, never>> {
    return this.transport.request("DELETE", this.#tokenPath(tokenId), options);
  }

  /** One page of the project's tokens (without secrets), exactly as the API answers it. */
  list(params: RawListParams = {} as RawListParams, options: RequestParams = {}): Promise<RawPage> {
    return this.transport.request("GET", this.path, { query: params as Query, ...options });
  }

  /** Tokenspace addition: one token, with its secret. */
  get(tokenId: string, options: RequestParams = {}): Promise<Token> {
    return this.transport.request("GET", this.#tokenPath(tokenId), options);
  }

  /** Tokenspace addition: one page, with the page tokens of its neighbours. */
  async listPage(params: ListParams = {}): Promise<Page<TokenSummary>> {
    const page = await this.transport.request<RawPage>("GET", this.path, {
      query: this.pageQuery(params),
      signal: params.signal,
    });
    return this.toPage(page);
  }

  /** Tokenspace addition: every token of the project (without secrets), across pages. */
  iterate(params: ListParams = {}): PagedList<TokenSummary> {
    return new PagedList((pageToken) => this.listPage({ ...params, pageToken }), params.pageToken);
  }

  #tokenPath(tokenId: string): string {
    return `${this.path}/${encodeURIComponent(tokenId)}`;
  }
}

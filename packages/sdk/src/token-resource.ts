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

/**
 * The token operations both surfaces offer; a surface says where its tokens live and how its
 * list pages look.
 */
export abstract class TokenResource {
  constructor(protected readonly transport: Transport) {}

  /** The collection's path, e.g. `/api/project/tokens`. */
  protected abstract get path(): string;

  /** One page of the project's tokens (without secrets). */
  abstract listPage(params?: ListParams): Promise<Page<TokenSummary>>;

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

  get(tokenId: string, options: RequestParams = {}): Promise<Token> {
    return this.transport.request("GET", this.#tokenPath(tokenId), options);
  }

  /** Every token of the project (without secrets), across pages. */
  list(params: ListParams = {}): PagedList<TokenSummary> {
    return new PagedList((pageToken) => this.listPage({ ...params, pageToken }), params.pageToken);
  }

  #tokenPath(tokenId: string): string {
    return `${this.path}/${encodeURIComponent(tokenId)}`;
  }
}

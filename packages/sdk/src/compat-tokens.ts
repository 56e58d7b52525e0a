import { pageTokenOf } from "./paged-list.js";
import { TokenResource } from "./token-resource.js";
import type { ListParams, Page, TokenSummary } from "./types.js";

interface CompatTokenList {
  next_page_uri: string | null;
  previous_page_uri: string | null;
  tokens: TokenSummary[];
}

/** `client.compat.tokens`: /api/laml/2010-04-01/Accounts/{project}/tokens. */
export class CompatTokens extends TokenResource {
  protected get path(): string {
    return `/api/laml/2010-04-01/Accounts/${encodeURIComponent(this.transport.project)}/tokens`;
  }

  async listPage(params: ListParams = {}): Promise<Page<TokenSummary>> {
    const page = await this.transport.request<CompatTokenList>("GET", this.path, {
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

import { pageTokenOf } from "./paged-list.js";
import { TokenResource } from "./token-resource.js";
import type { ListParams, Page, TokenSummary } from "./types.js";

interface NativeTokenList {
  links: { next: string | null; prev: string | null };
  data: TokenSummary[];
}

/** `client.project.tokens`: /api/project/tokens, for the project the client authenticates as. */
export class ProjectTokens extends TokenResource {
  protected get path(): string {
    return "/api/project/tokens";
  }

  async listPage(params: ListParams = {}): Promise<Page<TokenSummary>> {
    const page = await this.transport.request<NativeTokenList>("GET", this.path, {
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

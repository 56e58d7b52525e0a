import { pageTokenOf } from "./paged-list.js";
import { type Query, TokenResource } from "./token-resource.js";
import type { ListParams, NativeListParams, NativeTokenList } from "./types.js";

/** `client.project.tokens`: /api/project/tokens, for the project the client authenticates as. */
export class ProjectTokens extends TokenResource<NativeTokenList, NativeListParams> {
  protected get path(): string {
    return "/api/project/tokens";
  }

  protected toPage(page: NativeTokenList) {
    return {
      items: page.data,
      nextPageToken: pageTokenOf(page.links.next, "page_token"),
      previousPageToken: pageTokenOf(page.links.prev, "page_token"),
    };
  }

  protected pageQuery(params: ListParams): Query {
    return { page_size: params.pageSize, page_token: params.pageToken };
  }
}

import { nativePage } from "./paged-list.js";
import { type Query, TokenResource } from "./token-resource.js";
import type { ListParams, NativeListParams, NativeTokenList } from "./types.js";

/** `client.project.tokens`: /api/project/tokens, for the project the client authenticates as. */
export class ProjectTokens extends TokenResource<NativeTokenList, NativeListParams> {
  protected get path(): string {
    return "/api/project/tokens";
  }

  protected toPage(page: NativeTokenList) {
    return nativePage(page);
  }

  protected pageQuery(params: ListParams): Query {
    return { page_size: params.pageSize, page_token: params.pageToken };
  }
}

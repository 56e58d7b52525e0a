import { compatPage } from "./paged-list.js";
import { type Query, TokenResource } from "./token-resource.js";
import type { CompatListParams, CompatTokenList, ListParams } from "./types.js";

/** `client.compat.tokens`: /api/laml/2010-04-01/Accounts/{project}/tokens. */
export class CompatTokens extends TokenResource<CompatTokenList, CompatListParams> {
  protected get path(): string {
    return `/api/laml/2010-04-01/Accounts/${encodeURIComponent(this.transport.project)}/tokens`;
  }

  protected toPage(page: CompatTokenList) {
    return compatPage(page, page.tokens);
  }

  protected pageQuery(params: ListParams): Query {
    return { PageSize: params.pageSize, PageToken: params.pageToken };
  }
}

import { PagedList, pageTokenOf } from "./paged-list.js";
import type { Transport } from "./transport.js";
import type { Account, AccountListParams, AccountParams, Page, RequestParams } from "./types.js";

interface CompatAccountList {
  next_page_uri: string | null;
  previous_page_uri: string | null;
  accounts: Account[];
}

const PATH = "/api/laml/2010-04-01/Accounts";

/** `client.compat.accounts`: the project you authenticate as and its subprojects. */
export class CompatAccounts {
  constructor(private readonly transport: Transport) {}

  /** The project first, then its subprojects, across pages. */
  list(params: AccountListParams = {}): PagedList<Account> {
    return new PagedList((pageToken) => this.listPage({ ...params, pageToken }), params.pageToken);
  }

  async listPage(params: AccountListParams = {}): Promise<Page<Account>> {
    const page = await this.transport.request<CompatAccountList>("GET", PATH, {
      query: {
        FriendlyName: params.friendlyName,
        PageSize: params.pageSize,
        PageToken: params.pageToken,
      },
      signal: params.signal,
    });
    return {
      items: page.accounts,
      nextPageToken: pageTokenOf(page.next_page_uri, "PageToken"),
      previousPageToken: pageTokenOf(page.previous_page_uri, "PageToken"),
    };
  }

  /** Creates a subproject of the project you authenticate as. */
  create(params: AccountParams, options: RequestParams = {}): Promise<Account> {
    return this.transport.request("POST", PATH, {
      body: { FriendlyName: params.friendlyName },
      ...options,
    });
  }

  get(sid: string, options: RequestParams = {}): Promise<Account> {
    return this.transport.request("GET", `${PATH}/${encodeURIComponent(sid)}`, options);
  }

  /** Renames the project or one of its subprojects. */
  update(sid: string, params: AccountParams, options: RequestParams = {}): Promise<Account> {
    return this.transport.request("POST", `${PATH}/${encodeURIComponent(sid)}`, {
      body: { FriendlyName: params.friendlyName },
      ...options,
    });
  }
}

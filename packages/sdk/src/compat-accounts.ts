import { compatPage, PagedList } from "./paged-list.js";
import type { Query } from "./token-resource.js";
import type { Transport } from "./transport.js";
import type {
  Account,
  AccountBody,
  AccountListParams,
  CompatAccountList,
  CompatAccountListParams,
  Page,
  RequestParams,
} from "./types.js";

const PATH = "/api/laml/2010-04-01/Accounts";

/**
 * `client.compat.accounts`: the project you authenticate as and its subprojects. `list`,
 * `create`, `get` and `update` are SignalWire's calls, with bodies and query parameters as the
 * API names them; `listPage` and `iterate` are Tokenspace additions.
 */
export class CompatAccounts {
  constructor(private readonly transport: Transport) {}

  /** One page: the project first, then its subprojects, exactly as the API answers it. */
  list(
    params: CompatAccountListParams = {},
    options: RequestParams = {},
  ): Promise<CompatAccountList> {
    return this.transport.request("GET", PATH, { query: params as Query, ...options });
  }

  /** Creates a subproject of the project you authenticate as: `{ FriendlyName }`. */
  create(body: AccountBody, options: RequestParams = {}): Promise<Account> {
    return this.transport.request("POST", PATH, { body, ...options });
  }

  get(sid: string, options: RequestParams = {}): Promise<Account> {
    return this.transport.request("GET", `${PATH}/${encodeURIComponent(sid)}`, options);
  }

  /** Renames the project or one of its subprojects: `{ FriendlyName }`. */
  update(sid: string, body: AccountBody, options: RequestParams = {}): Promise<Account> {
    return this.transport.request("POST", `${PATH}/${encodeURIComponent(sid)}`, {
      body,
      ...options,
    });
  }

  /** Tokenspace addition: one page, with the page tokens of its neighbours. */
  async listPage(params: AccountListParams = {}): Promise<Page<Account>> {
    const page = await this.list(
      { FriendlyName: params.friendlyName, PageSize: params.pageSize, PageToken: params.pageToken },
      { signal: params.signal },
    );
    return compatPage(page, page.accounts);
  }

  /** Tokenspace addition: the project first, then its subprojects, across pages. */
  iterate(params: AccountListParams = {}): PagedList<Account> {
    return new PagedList((pageToken) => this.listPage({ ...params, pageToken }), params.pageToken);
  }
}

import type { CompatPageLinks, ExtensionList } from "./contract.js";
import type { RequestOptions, Transport } from "./transport.js";
import type { ListParams, Page } from "./types.js";

/**
 * Every item of a list, fetched a page at a time as iteration goes: `for await (const item of
 * list)`. `pages()` walks page by page instead.
 */
export class PagedList<T> implements AsyncIterable<T> {
  constructor(
    private readonly fetchPage: (pageToken: string | undefined) => Promise<Page<T>>,
    private readonly firstPageToken?: string,
  ) {}

  async *pages(): AsyncGenerator<Page<T>> {
    let pageToken = this.firstPageToken;
    do {
      const page = await this.fetchPage(pageToken);
      yield page;
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.pages()) yield* page.items;
  }

  /** Collects every item into an array. */
  async all(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }
}

/** The PageToken query parameter of a compatibility page URI, or undefined. */
function pageTokenOf(uri: string | null | undefined, parameter: string): string | undefined {
  if (!uri) return undefined;
  const query = uri.slice(uri.indexOf("?") + 1);
  return new URLSearchParams(query).get(parameter) ?? undefined;
}

/** A compatibility list page's items, with the PageTokens of its neighbours. */
export function compatPage<T>(page: CompatPageLinks, items: T[]): Page<T> {
  return {
    items,
    nextPageToken: pageTokenOf(page.next_page_uri, "PageToken"),
    previousPageToken: pageTokenOf(page.previous_page_uri, "PageToken"),
  };
}

/** A native or extension list page (`{links, data}`)'s items, with its neighbours' page_tokens. */
export function nativePage<T>(page: ExtensionList<T>): Page<T> {
  return {
    items: page.data,
    nextPageToken: pageTokenOf(page.links.next, "page_token"),
    previousPageToken: pageTokenOf(page.links.prev, "page_token"),
  };
}

/** One page of the extension list at `path`, with the list's own filters. */
export async function extensionPage<T>(
  transport: Transport,
  path: string,
  params: ListParams,
  filters: RequestOptions["query"],
): Promise<Page<T>> {
  const query = { page_size: params.pageSize, page_token: params.pageToken, ...filters };
  const options = { query, ...(params.signal && { signal: params.signal }) };
  return nativePage(await transport.request<ExtensionList<T>>("GET", path, options));
}

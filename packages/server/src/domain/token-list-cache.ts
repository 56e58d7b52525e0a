import type { TokenSummary } from "@tokenspace/contract";
import { LRUCache } from "lru-cache";
import type { Page, PageQuery } from "./keyset-page.js";

/**
 * Most tokens held at once, over every page of every project: some 300 bytes each, so a few MB
 * whatever page sizes clients ask for (500 pages of 50, or 25 of 1 000).
 */
const MAX_HELD_TOKENS = 25_000;

/**
 * Pages of projects' token lists as last read, each under the version its project's list had
 * when the read began (Store.tokenListVersion). The store moves that version on in the same
 * transaction as every change to the list, whoever makes it (this node, another node or worker,
 * the CLI, a statement typed by hand), so a page is given again exactly while the store would
 * give the same page: a repeated list request costs one indexed row, not its page's rows.
 */
export class TokenListCache {
  readonly #pages = new LRUCache<
    string,
    { readonly version: string; readonly page: Page<TokenSummary> }
  >({
    maxSize: MAX_HELD_TOKENS,
    // An empty page still takes an entry.
    sizeCalculation: ({ page }) => Math.max(page.items.length, 1),
  });

  /** The page read at `version`, if it is held; nothing for a list with no version. */
  get(projectId: string, query: PageQuery, version: string | undefined) {
    if (version === undefined) return undefined;
    const held = this.#pages.get(pageKey(projectId, query));
    return held?.version === version ? held.page : undefined;
  }

  /** Keeps a page read after its list's version was read as `version`. */
  remember(
    projectId: string,
    query: PageQuery,
    version: string | undefined,
    page: Page<TokenSummary>,
  ): void {
    if (version !== undefined) this.#pages.set(pageKey(projectId, query), { version, page });
  }
}

function pageKey(projectId: string, { pageSize, cursor, order }: PageQuery): string {
  const from = cursor ? `${cursor.direction} ${cursor.position} ${cursor.page}` : "start";
  return `${projectId} ${pageSize} ${order ?? "oldest_first"} ${from}`;
}

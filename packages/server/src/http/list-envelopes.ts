import type { TObject, TSchema } from "@sinclair/typebox";
import { DEFAULT_PAGE_SIZE } from "@tokenspace/contract";
import type { Page } from "../domain/keyset-page.js";
import { decodePageToken, encodePageToken, type PageCursor } from "../domain/page-cursor.js";
import {
  CompatAccountListQuery,
  CompatAccountListSchema,
  CompatPageQuery,
  CompatTokenListSchema,
  NativePageQuery,
  NativeTokenListSchema,
} from "./schemas.js";

/** The page a list request asks for, read from its query string. */
interface PageRequest {
  readonly pageSize: number;
  /** As the client sent it, so the envelope's own URI can repeat it. */
  readonly pageToken: string | undefined;
  readonly cursor: PageCursor | undefined;
  /** Filters to carry into every page's URI (compatibility lists only). */
  readonly filters: Readonly<Record<string, string | undefined>>;
}

/** How one surface pages a list: the query it takes, its envelope, and the envelope's schema. */
export interface ListStyle {
  readonly query: TObject;
  readonly response: TSchema;
  read(query: Readonly<Record<string, unknown>>): PageRequest;
  /** One page in this style's envelope; `path` is where the list lives. */
  render<T>(path: string, page: Page<T>, request: PageRequest): object;
}

function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const query = Object.entries(params)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join("&");
  return query === "" ? path : `${path}?${query}`;
}

function pageRequest(
  pageSize: unknown,
  pageToken: unknown,
  filters: PageRequest["filters"] = {},
): PageRequest {
  const token = typeof pageToken === "string" ? pageToken : undefined;
  return {
    pageSize: typeof pageSize === "number" ? pageSize : DEFAULT_PAGE_SIZE,
    pageToken: token,
    cursor: token === undefined ? undefined : decodePageToken(token),
    filters,
  };
}

/** The named filters of a list request, to carry into every page's links. */
function filtersOf(
  params: Readonly<Record<string, unknown>>,
  names: readonly string[],
): PageRequest["filters"] {
  return Object.fromEntries(names.map((name) => [name, params[name] as string | undefined]));
}

/** The links of one page: to itself, the first page, and its neighbours (null at an end). */
interface PageLinks {
  readonly self: string;
  readonly first: string;
  readonly next: string | null;
  readonly previous: string | null;
}

/** The names a style gives its paging parameters in the query string. */
interface PagingNames {
  /** The page number, where the style shows one. */
  readonly number?: string;
  readonly size: string;
  readonly token: string;
}

/**
 * A list style: `envelope` wraps a page's items with its links, each the list's path with the
 * request's filters, the page size and the page's token (and number, where the style has one).
 */
function listStyle(
  query: TObject,
  response: TSchema,
  names: PagingNames,
  filterNames: readonly string[],
  envelope: <T>(page: Page<T>, request: PageRequest, links: PageLinks) => object,
): ListStyle {
  return {
    query,
    response,
    read: (params) =>
      pageRequest(params[names.size], params[names.token], filtersOf(params, filterNames)),
    render(path, page, request) {
      const link = (pageNumber: number, token: string | undefined) =>
        withQuery(path, {
          ...request.filters,
          ...(names.number && { [names.number]: pageNumber }),
          [names.size]: request.pageSize,
          [names.token]: token,
        });
      const linked = (cursor: PageCursor | undefined) =>
        cursor === undefined ? null : link(cursor.page, encodePageToken(cursor));
      return envelope(page, request, {
        self: link(page.page, request.pageToken),
        first: link(0, undefined),
        next: linked(page.next),
        previous: linked(page.previous),
      });
    },
  };
}

/**
 * The compatibility list envelope: `uri`, `first_page_uri`, `next_page_uri`,
 * `previous_page_uri`, `page`, `page_size`, and the items under the resource's key. Filters
 * (such as FriendlyName) are carried into every page's URI.
 */
function compatList(
  key: string,
  query: TObject,
  response: TSchema,
  filterNames: readonly string[] = [],
): ListStyle {
  const names = { number: "Page", size: "PageSize", token: "PageToken" };
  return listStyle(query, response, names, filterNames, (page, request, links) => ({
    uri: links.self,
    first_page_uri: links.first,
    next_page_uri: links.next,
    previous_page_uri: links.previous,
    page: page.page,
    page_size: request.pageSize,
    [key]: page.items,
  }));
}

export const COMPAT_TOKEN_LIST = compatList("tokens", CompatPageQuery, CompatTokenListSchema);

export const COMPAT_ACCOUNT_LIST = compatList(
  "accounts",
  CompatAccountListQuery,
  CompatAccountListSchema,
  ["FriendlyName"],
);

/**
 * The native list envelope: `{links: {self, first, next, prev}, data}`, with `page_size` and
 * `page_token`; filters are carried into every link. The extension surface lists this way too.
 */
export function nativeList(
  query: TObject,
  response: TSchema,
  filterNames: readonly string[] = [],
): ListStyle {
  const names = { size: "page_size", token: "page_token" };
  return listStyle(query, response, names, filterNames, (page, _request, links) => ({
    links: { self: links.self, first: links.first, next: links.next, prev: links.previous },
    data: page.items,
  }));
}

export const NATIVE_TOKEN_LIST = nativeList(NativePageQuery, NativeTokenListSchema);

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
  return {
    query,
    response,
    read: (params) =>
      pageRequest(params.PageSize, params.PageToken, filtersOf(params, filterNames)),
    render(path, page, request) {
      const uri = (pageNumber: number, token: string | undefined) =>
        withQuery(path, {
          ...request.filters,
          Page: pageNumber,
          PageSize: request.pageSize,
          PageToken: token,
        });
      const linked = (cursor: PageCursor | undefined) =>
        cursor === undefined ? null : uri(cursor.page, encodePageToken(cursor));
      return {
        uri: uri(page.page, request.pageToken),
        first_page_uri: uri(0, undefined),
        next_page_uri: linked(page.next),
        previous_page_uri: linked(page.previous),
        page: page.page,
        page_size: request.pageSize,
        [key]: page.items,
      };
    },
  };
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
  return {
    query,
    response,
    read: (params) =>
      pageRequest(params.page_size, params.page_token, filtersOf(params, filterNames)),
    render(path, page, request) {
      const link = (token: string | undefined) =>
        withQuery(path, { ...request.filters, page_size: request.pageSize, page_token: token });
      const linked = (cursor: PageCursor | undefined) =>
        cursor === undefined ? null : link(encodePageToken(cursor));
      return {
        links: {
          self: link(request.pageToken),
          first: link(undefined),
          next: linked(page.next),
          prev: linked(page.previous),
        },
        data: page.items,
      };
    },
  };
}

export const NATIVE_TOKEN_LIST = nativeList(NativePageQuery, NativeTokenListSchema);

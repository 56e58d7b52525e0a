import type { Page } from "../domain/keyset-page.js";
import { encodePageToken, type PageCursor } from "../domain/page-cursor.js";

function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const query = Object.entries(params)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join("&");
  return query === "" ? path : `${path}?${query}`;
}

/**
 * The compatibility list envelope: `uri`, `first_page_uri`, `next_page_uri`,
 * `previous_page_uri`, `page`, `page_size`, and the items under the resource's key. Filters
 * (such as FriendlyName) are carried into every page's URI.
 */
export function compatListEnvelope<T, K extends string>(
  path: string,
  key: K,
  page: Page<T>,
  pageSize: number,
  pageToken: string | undefined,
  filters: Record<string, string | undefined> = {},
) {
  const uri = (pageNumber: number, token: string | undefined) =>
    withQuery(path, { ...filters, Page: pageNumber, PageSize: pageSize, PageToken: token });
  const linked = (cursor: PageCursor | undefined) =>
    cursor === undefined ? null : uri(cursor.page, encodePageToken(cursor));
  return {
    uri: uri(page.page, pageToken),
    first_page_uri: uri(0, undefined),
    next_page_uri: linked(page.next),
    previous_page_uri: linked(page.previous),
    page: page.page,
    page_size: pageSize,
    ...({ [key]: page.items } as Record<K, T[]>),
  };
}

/** The native list envelope: `{links: {self, first, next, prev}, data}`. */
export function nativeListEnvelope<T>(
  path: string,
  page: Page<T>,
  pageSize: number,
  pageToken: string | undefined,
) {
  const link = (token: string | undefined) =>
    withQuery(path, { page_size: pageSize, page_token: token });
  const linked = (cursor: PageCursor | undefined) =>
    cursor === undefined ? null : link(encodePageToken(cursor));
  return {
    links: {
      self: link(pageToken),
      first: link(undefined),
      next: linked(page.next),
      prev: linked(page.previous),
    },
    data: page.items,
  };
}

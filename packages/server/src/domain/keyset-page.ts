import type { PageCursor } from "./page-cursor.js";
import type { FilteredListWindow, FilteredRows, ListWindow } from "./store.js";

export interface Page<T> {
  readonly items: T[];
  readonly page: number;
  readonly next: PageCursor | undefined;
  readonly previous: PageCursor | undefined;
}

/** Which end of a position-ordered list its first page shows. */
export type ListOrder = "oldest_first" | "newest_first";

export const LIST_ORDERS: readonly ListOrder[] = ["oldest_first", "newest_first"];

/** Which page of a list to read: how many items, from where (the first page without a cursor). */
export interface PageQuery {
  readonly pageSize: number;
  readonly cursor: PageCursor | undefined;
  readonly order?: ListOrder | undefined;
}

/**
 * How many rows of a list one filtered page request looks at, at most. A filter that matches
 * little would otherwise read the whole list to fill a page; past this many rows the page is
 * answered with what matched so far and a next link that carries on from there.
 */
export const EXAMINED_ROWS_PER_PAGE = 10_000;

/**
 * Reads one page of a position-ordered list by key: one row more than the page is asked for,
 * to know whether the list goes on in the direction of travel.
 */
export async function readPage<T extends { readonly position: number }>(
  read: (window: ListWindow) => Promise<T[]>,
  query: PageQuery,
): Promise<Page<T>> {
  return readFilteredPage(
    async (window) => ({ rows: await read(window), examinedThrough: undefined }),
    query,
  );
}

/**
 * Reads one page of a filtered, position-ordered list by key, examining at most `examine` rows
 * (EXAMINED_ROWS_PER_PAGE; the paging tests set fewer): such a page may hold fewer items than
 * asked for (even none) and still have a next link. A cursor's direction is the list's own
 * ("after" is towards its end), whichever order the list is in.
 */
export async function readFilteredPage<T extends { readonly position: number }>(
  read: (window: FilteredListWindow) => Promise<FilteredRows<T>>,
  { pageSize, cursor, order = "oldest_first" }: PageQuery,
  examine: number = EXAMINED_ROWS_PER_PAGE,
): Promise<Page<T>> {
  const page = cursor?.page ?? 0;
  const backwards = cursor?.direction === "before";
  const newestFirst = order === "newest_first";
  const towardsLowerPositions = backwards !== newestFirst;
  const bound = cursor?.position ?? (newestFirst ? Number.MAX_SAFE_INTEGER : 0);
  const limit = pageSize + 1;
  const { rows, examinedThrough } = await read(
    towardsLowerPositions ? { before: bound, limit, examine } : { after: bound, limit, examine },
  );
  // Windows come in ascending positions; nearest the cursor first is the order of travel.
  const travelled = towardsLowerPositions ? rows.reverse() : rows;
  const taken = travelled.slice(0, pageSize);
  // Travel goes on after the last item of a full page, or past the rows a filtered read examined.
  const onward = travelled.length > pageSize ? taken.at(-1)?.position : examinedThrough;
  // The way back starts at the first item; on an empty page, just behind the cursor.
  const back =
    cursor === undefined
      ? undefined
      : (taken[0]?.position ?? (towardsLowerPositions ? bound - 1 : bound + 1));
  const items = backwards ? taken.reverse() : taken;
  const forward = backwards ? back : onward;
  const behind = backwards ? onward : page > 0 ? back : undefined;
  return {
    items,
    page,
    next:
      forward === undefined ? undefined : { direction: "after", position: forward, page: page + 1 },
    previous:
      behind === undefined
        ? undefined
        : { direction: "before", position: behind, page: Math.max(page - 1, 0) },
  };
}

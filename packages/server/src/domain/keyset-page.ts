import type { PageCursor } from "./page-cursor.js";
import type { ListWindow } from "./store.js";

export interface Page<T> {
  readonly items: T[];
  readonly page: number;
  readonly next: PageCursor | undefined;
  readonly previous: PageCursor | undefined;
}

/** Which end of a position-ordered list its first page shows. */
export type ListOrder = "oldest_first" | "newest_first";

export const LIST_ORDERS: readonly ListOrder[] = ["oldest_first", "newest_first"];

/**
 * Reads one page of a position-ordered list by key: one row more than the page is asked for,
 * to know whether the list goes on in the direction of travel. A cursor's direction is the
 * list's own ("after" is towards its end), whichever order the list is in.
 */
export async function readPage<T extends { readonly position: number }>(
  read: (window: ListWindow) => Promise<T[]>,
  pageSize: number,
  cursor: PageCursor | undefined,
  order: ListOrder = "oldest_first",
): Promise<Page<T>> {
  const page = cursor?.page ?? 0;
  const backwards = cursor?.direction === "before";
  const newestFirst = order === "newest_first";
  const towardsLowerPositions = backwards !== newestFirst;
  const bound = cursor?.position ?? (newestFirst ? Number.MAX_SAFE_INTEGER : 0);
  const fetched = await read(
    towardsLowerPositions
      ? { before: bound, limit: pageSize + 1 }
      : { after: bound, limit: pageSize + 1 },
  );
  // Windows come in ascending positions; nearest the cursor first is the order of travel.
  const travelled = towardsLowerPositions ? fetched.reverse() : fetched;
  const overflow = travelled.length > pageSize;
  const taken = travelled.slice(0, pageSize);
  const items = backwards ? taken.reverse() : taken;
  const first = items[0];
  const last = items.at(-1);
  const hasNext = backwards ? last !== undefined : overflow;
  const hasPrevious = backwards ? overflow : page > 0 && first !== undefined;
  return {
    items,
    page,
    next:
      hasNext && last ? { direction: "after", position: last.position, page: page + 1 } : undefined,
    previous:
      hasPrevious && first
        ? { direction: "before", position: first.position, page: Math.max(page - 1, 0) }
        : undefined,
  };
}

import type { PageCursor } from "./page-cursor.js";
import type { ListWindow } from "./store.js";

export interface Page<T> {
  readonly items: T[];
  readonly page: number;
  readonly next: PageCursor | undefined;
  readonly previous: PageCursor | undefined;
}

/**
 * Reads one page of a position-ordered list by key: one row more than the page is asked for,
 * to know whether the list goes on in the direction of travel.
 */
export async function readPage<T extends { readonly position: number }>(
  read: (window: ListWindow) => Promise<T[]>,
  pageSize: number,
  cursor: PageCursor | undefined,
): Promise<Page<T>> {
  const page = cursor?.page ?? 0;
  const backwards = cursor?.direction === "before";
  const fetched = await read(
    backwards
      ? { before: cursor.position, limit: pageSize + 1 }
      : { after: cursor?.position ?? 0, limit: pageSize + 1 },
  );
  const overflow = fetched.length > pageSize;
  const items = backwards ? fetched.slice(overflow ? 1 : 0) : fetched.slice(0, pageSize);
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

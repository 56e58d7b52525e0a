import type { FilteredListWindow, FilteredRows } from "../domain/store.js";

/**
 * How both stores read a filtered keyset window (see FilteredListWindow): first where the
 * `examine`th row beyond the cursor is, from the list's indexes alone; then the rows that pass
 * the filter up to there. These are the two ends of that read, the SQL in between being each
 * dialect's own.
 */

/** The last position the filtered read may reach: the boundary, or the list's end that way. */
export function filterUpTo(window: FilteredListWindow, examinedThrough: number | undefined) {
  return examinedThrough ?? (window.before !== undefined ? 0 : Number.MAX_SAFE_INTEGER);
}

/**
 * The window's rows in ascending order (a window before the cursor is read descending), with
 * the boundary when the page did not fill before it.
 */
export function filteredRows<R>(
  window: FilteredListWindow,
  travelled: R[],
  examinedThrough: number | undefined,
): FilteredRows<R> {
  return {
    rows: window.before !== undefined ? travelled.reverse() : travelled,
    examinedThrough: travelled.length < window.limit ? examinedThrough : undefined,
  };
}

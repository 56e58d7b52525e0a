import type { Page } from "@tokenspace/sdk";

interface PagerProps {
  readonly page: Page<unknown> | undefined;
  readonly number: number;
  readonly label: string;
  readonly onPage: (pageToken: string, number: number) => void;
}

/** Previous and next for a keyset-paged list: each page is one request for one page. */
export function Pager({ page, number, label, onPage }: PagerProps) {
  if (!page || (page.previousPageToken === undefined && page.nextPageToken === undefined)) {
    return null;
  }
  return (
    <nav class="pager" aria-label={label}>
      <button
        type="button"
        disabled={page.previousPageToken === undefined}
        onClick={() => page.previousPageToken && onPage(page.previousPageToken, number - 1)}
      >
        Previous page
      </button>
      <span>Page {number + 1}</span>
      <button
        type="button"
        disabled={page.nextPageToken === undefined}
        onClick={() => page.nextPageToken && onPage(page.nextPageToken, number + 1)}
      >
        Next page
      </button>
    </nav>
  );
}

/**
 * Said of an empty page that still has a next one: a filtered page request looks at a bounded
 * stretch of the list, so nothing matching there does not mean nothing matches further on.
 */
export function NothingMatchedYet() {
  return <p>Nothing in this stretch of the list matches. The next page searches further on.</p>;
}

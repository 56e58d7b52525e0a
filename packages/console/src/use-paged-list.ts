import type { Page } from "@tokenspace/sdk";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { Problem } from "./failure.js";
import { useSession } from "./session-context.js";

interface View<F> {
  readonly filters: F;
  readonly pageToken: string | undefined;
  /** Counted from 0, for "Page N". */
  readonly number: number;
  /** Bumped to load the same page again after a change. */
  readonly revision: number;
}

/**
 * One page of a list at a time: loaded when the filters or the page change (the request before
 * it cancelled), with what went wrong when it failed. Changing a filter starts at page one.
 */
export function usePagedList<T, F>(
  initialFilters: F,
  load: (filters: F, pageToken: string | undefined, signal: AbortSignal) => Promise<Page<T>>,
) {
  const { report } = useSession();
  const [view, setView] = useState<View<F>>({
    filters: initialFilters,
    pageToken: undefined,
    number: 0,
    revision: 0,
  });
  const [page, setPage] = useState<Page<T>>();
  const [problem, setProblem] = useState<Problem>();

  // Loads again when the view changes; a screen is remounted when what `load` reads changes.
  useEffect(() => {
    const controller = new AbortController();
    load(view.filters, view.pageToken, controller.signal)
      .then((loaded) => {
        setPage(loaded);
        setProblem(undefined);
      })
      .catch((error) => controller.signal.aborted || setProblem(report(error)));
    return () => controller.abort();
  }, [view, report]);

  const filter = useCallback(
    (changes: Partial<F>) =>
      setView((current) => ({
        ...current,
        filters: { ...current.filters, ...changes },
        pageToken: undefined,
        number: 0,
      })),
    [],
  );
  const reload = useCallback(
    () => setView((current) => ({ ...current, revision: current.revision + 1 })),
    [],
  );
  const onPage = useCallback(
    (pageToken: string, number: number) =>
      setView((current) => ({ ...current, pageToken, number })),
    [],
  );
  return {
    filters: view.filters,
    page,
    problem,
    filter,
    reload,
    pager: { page, number: view.number, onPage },
  };
}

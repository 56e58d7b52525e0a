import { AUDIT_ACTIONS, type AuditAction, type AuditEntry, type Page } from "@tokenspace/sdk";
import { useEffect, useState } from "preact/hooks";
import { AuditTable } from "../components/audit-table.js";
import { ProblemMessage } from "../components/messages.js";
import { Pager } from "../components/pager.js";
import type { Problem } from "../failure.js";
import { useSession } from "../session-context.js";

const PAGE_SIZE = 50;
const PERIODS = [
  { value: "1h", label: "Last hour" },
  { value: "24h", label: "Last 24 hours" },
  { value: "7d", label: "Last 7 days" },
  { value: "30d", label: "Last 30 days" },
  { value: "", label: "All time" },
];

interface Shown {
  readonly action: AuditAction | "";
  readonly since: string;
  readonly pageToken: string | undefined;
  readonly number: number;
}

interface AuditScreenProps {
  readonly projectId: string;
  readonly home: string;
}

/**
 * Who changed what, newest first: for the signed-in project, everything it can see (its
 * subprojects and the service included); inside a subproject, that subproject's entries.
 */
export function AuditScreen({ projectId, home }: AuditScreenProps) {
  const { client, report } = useSession();
  const [shown, setShown] = useState<Shown>({
    action: "",
    since: "7d",
    pageToken: undefined,
    number: 0,
  });
  const [page, setPage] = useState<Page<AuditEntry>>();
  const [problem, setProblem] = useState<Problem>();

  useEffect(() => {
    const controller = new AbortController();
    client.tokenspace.audit
      .listPage({
        order: "newest_first",
        pageSize: PAGE_SIZE,
        pageToken: shown.pageToken,
        ...(projectId !== home && { projectId }),
        ...(shown.action && { action: shown.action }),
        ...(shown.since && { since: shown.since }),
        signal: controller.signal,
      })
      .then((loaded) => {
        setPage(loaded);
        setProblem(undefined);
      })
      .catch((error) => controller.signal.aborted || setProblem(report(error)));
    return () => controller.abort();
  }, [client, report, projectId, home, shown]);

  const filter = (changes: Partial<Shown>) =>
    setShown({ ...shown, ...changes, pageToken: undefined, number: 0 });
  return (
    <section aria-labelledby="audit-heading">
      <h1 id="audit-heading">Audit log</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <div class="field">
          <label for="audit-action">Action</label>
          <select
            id="audit-action"
            value={shown.action}
            onChange={(event) => filter({ action: event.currentTarget.value as AuditAction })}
          >
            <option value="">Every action</option>
            {AUDIT_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="audit-period">Time</label>
          <select
            id="audit-period"
            value={shown.since}
            onChange={(event) => filter({ since: event.currentTarget.value })}
          >
            {PERIODS.map((period) => (
              <option key={period.value} value={period.value}>
                {period.label}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ProblemMessage problem={problem} />
      {page && <AuditTable entries={page.items} caption="Audit log entries, newest first" />}
      <Pager
        page={page}
        number={shown.number}
        label="Audit log pages"
        onPage={(pageToken, number) => setShown({ ...shown, pageToken, number })}
      />
    </section>
  );
}

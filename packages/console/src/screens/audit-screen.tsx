import { AUDIT_ACTIONS, type AuditAction } from "@tokenspace/sdk";
import { AuditTable } from "../components/audit-table.js";
import { ProblemMessage } from "../components/messages.js";
import { NothingMatchedYet, Pager } from "../components/pager.js";
import { useSession } from "../session-context.js";
import { usePagedList } from "../use-paged-list.js";

const PAGE_SIZE = 50;
const PERIODS = [
  { value: "1h", label: "Last hour" },
  { value: "24h", label: "Last 24 hours" },
  { value: "7d", label: "Last 7 days" },
  { value: "30d", label: "Last 30 days" },
  { value: "", label: "All time" },
];

interface AuditScreenProps {
  readonly projectId: string;
  readonly home: string;
}

/**
 * Who changed what, newest first: for the signed-in project, everything it can see (its
 * subprojects and the service included); inside a subproject, that subproject's entries.
 */
export function AuditScreen({ projectId, home }: AuditScreenProps) {
  const { client } = useSession();
  const { filters, page, problem, filter, pager } = usePagedList(
    { action: "" as AuditAction | "", since: "7d" },
    ({ action, since }, pageToken, signal) =>
      client.tokenspace.audit.listPage({
        order: "newest_first",
        pageSize: PAGE_SIZE,
        pageToken,
        ...(projectId !== home && { projectId }),
        ...(action && { action }),
        ...(since && { since }),
        signal,
      }),
  );

  return (
    <section aria-labelledby="audit-heading">
      <h1 id="audit-heading">Audit log</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <div class="field">
          <label for="audit-action">Action</label>
          <select
            id="audit-action"
            value={filters.action}
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
            value={filters.since}
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
      {page && page.items.length === 0 && page.nextPageToken !== undefined ? (
        <NothingMatchedYet />
      ) : (
        page && <AuditTable entries={page.items} caption="Audit log entries, newest first" />
      )}
      <Pager {...pager} label="Audit log pages" />
    </section>
  );
}

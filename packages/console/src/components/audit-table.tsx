import type { AuditEntry } from "@tokenspace/sdk";
import { absoluteTime, relativeTime, shortId } from "../format.js";
import { DataTable } from "./data-table.js";

function describeDetails(details: Readonly<Record<string, unknown>>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(", ") : String(value)}`)
    .join("; ");
}

/** Audit entries as a table: when, what, to what, by whom, from where. */
export function AuditTable({
  entries,
  caption,
}: {
  entries: readonly AuditEntry[];
  caption: string;
}) {
  if (entries.length === 0) return <p>No entries.</p>;
  return (
    <DataTable
      name="audit"
      caption={{ caption }}
      columns={["When", "Action", "Target", "By", "From", "Details"]}
    >
      {entries.map((entry) => (
        <tr key={entry.id}>
          <td>
            <time dateTime={entry.occurred_at} title={absoluteTime(entry.occurred_at)}>
              {relativeTime(entry.occurred_at)}
            </time>
          </td>
          <td>
            <code>{entry.action}</code>
          </td>
          <td>
            {entry.target.type}{" "}
            {entry.target.id && <code title={entry.target.id}>{shortId(entry.target.id)}</code>}
          </td>
          <td>
            {entry.actor.token_id ? (
              <>
                token <code title={entry.actor.token_id}>{shortId(entry.actor.token_id)}</code>
              </>
            ) : (
              "operator (CLI)"
            )}
          </td>
          <td>{entry.client_address ?? ""}</td>
          <td>{describeDetails(entry.details)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

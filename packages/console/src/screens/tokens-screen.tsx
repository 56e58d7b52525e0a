import { useEffect, useState } from "preact/hooks";
import { DataTable } from "../components/data-table.js";
import { ProblemMessage } from "../components/messages.js";
import { NothingMatchedYet, Pager } from "../components/pager.js";
import { PermissionChips } from "../components/permission-chips.js";
import { TokenStatus } from "../components/token-status.js";
import { absoluteTime, relativeTime } from "../format.js";
import { href } from "../route.js";
import { useSession } from "../session-context.js";
import { usePagedList } from "../use-paged-list.js";

const PAGE_SIZE = 25;
/** How long typing pauses before the search runs. */
const SEARCH_DELAY_MS = 250;

function When({ iso }: { iso: string | null }) {
  if (!iso) return <>Never</>;
  return (
    <time dateTime={iso} title={absoluteTime(iso)}>
      {relativeTime(iso)}
    </time>
  );
}

/** The project's tokens, a page at a time, searchable by name. */
export function TokensScreen({ projectId }: { projectId: string }) {
  const { client } = useSession();
  const [typed, setTyped] = useState("");
  const { filters, page, problem, filter, pager } = usePagedList(
    { search: "" },
    ({ search }, pageToken, signal) =>
      client.tokenspace.tokens.listPage({
        projectId,
        pageSize: PAGE_SIZE,
        pageToken,
        name: search || undefined,
        signal,
      }),
  );

  useEffect(() => {
    if (typed === filters.search) return;
    const timer = setTimeout(() => filter({ search: typed }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed, filters.search, filter]);

  return (
    <section aria-labelledby="tokens-heading">
      <div class="heading-row">
        <h1 id="tokens-heading">API tokens</h1>
        <a class="button" href={href({ screen: "create", projectId })}>
          Create token
        </a>
      </div>
      <search class="search">
        <label for="token-search">Search by name</label>
        <input
          id="token-search"
          type="search"
          value={typed}
          onInput={(event) => setTyped(event.currentTarget.value)}
        />
      </search>
      <ProblemMessage problem={problem} />
      {page && page.items.length === 0 && page.nextPageToken !== undefined && <NothingMatchedYet />}
      {page && page.items.length === 0 && page.nextPageToken === undefined && (
        <p>{filters.search ? `No token's name contains “${filters.search}”.` : "No tokens yet."}</p>
      )}
      {page && page.items.length > 0 && (
        <DataTable
          name="tokens"
          caption={<>API tokens, page {pager.number + 1}</>}
          columns={["Name", "Permissions", "Last used", "Expires", "Status"]}
        >
          {page.items.map((token) => (
            <tr key={token.id}>
              <td>
                <a href={href({ screen: "token", projectId, tokenId: token.id })}>{token.name}</a>
              </td>
              <td>
                <PermissionChips permissions={token.permissions} />
              </td>
              <td>
                <When iso={token.last_used_at} />
              </td>
              <td>
                <When iso={token.expires_at} />
              </td>
              <td>
                <TokenStatus token={token} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager {...pager} label="Token pages" />
    </section>
  );
}

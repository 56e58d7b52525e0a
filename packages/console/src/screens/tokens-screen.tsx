import type { ManagedToken, Page } from "@tokenspace/sdk";
import { useEffect, useState } from "preact/hooks";
import { ProblemMessage } from "../components/messages.js";
import { Pager } from "../components/pager.js";
import { PermissionChips } from "../components/permission-chips.js";
import { TokenStatus } from "../components/token-status.js";
import type { Problem } from "../failure.js";
import { absoluteTime, relativeTime } from "../format.js";
import { href } from "../route.js";
import { useSession } from "../session-context.js";

const PAGE_SIZE = 25;
/** How long typing pauses before the search runs. */
const SEARCH_DELAY_MS = 250;

interface Shown {
  readonly search: string;
  readonly pageToken: string | undefined;
  readonly number: number;
}

/** The project's tokens, a page at a time, searchable by name. */
export function TokensScreen({ projectId }: { projectId: string }) {
  const { client, report } = useSession();
  const [typed, setTyped] = useState("");
  const [shown, setShown] = useState<Shown>({ search: "", pageToken: undefined, number: 0 });
  const [page, setPage] = useState<Page<ManagedToken>>();
  const [problem, setProblem] = useState<Problem>();

  useEffect(() => {
    if (typed === shown.search) return;
    const timer = setTimeout(
      () => setShown({ search: typed, pageToken: undefined, number: 0 }),
      SEARCH_DELAY_MS,
    );
    return () => clearTimeout(timer);
  }, [typed, shown.search]);

  useEffect(() => {
    const controller = new AbortController();
    client.tokenspace.tokens
      .listPage({
        projectId,
        pageSize: PAGE_SIZE,
        pageToken: shown.pageToken,
        name: shown.search || undefined,
        signal: controller.signal,
      })
      .then((loaded) => {
        setPage(loaded);
        setProblem(undefined);
      })
      .catch((error) => controller.signal.aborted || setProblem(report(error)));
    return () => controller.abort();
  }, [client, report, projectId, shown]);

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
      {page && page.items.length === 0 && (
        <p>{shown.search ? `No token's name contains “${shown.search}”.` : "No tokens yet."}</p>
      )}
      {page && page.items.length > 0 && (
        <table class="tokens">
          <caption class="visually-hidden">API tokens, page {shown.number + 1}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Permissions</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((token) => (
              <tr key={token.id}>
                <td>
                  <a href={href({ screen: "token", projectId, tokenId: token.id })}>{token.name}</a>
                </td>
                <td>
                  <PermissionChips permissions={token.permissions} />
                </td>
                <td>
                  {token.last_used_at ? (
                    <time dateTime={token.last_used_at} title={absoluteTime(token.last_used_at)}>
                      {relativeTime(token.last_used_at)}
                    </time>
                  ) : (
                    "Never"
                  )}
                </td>
                <td>
                  {token.expires_at ? (
                    <time dateTime={token.expires_at} title={absoluteTime(token.expires_at)}>
                      {relativeTime(token.expires_at)}
                    </time>
                  ) : (
                    "Never"
                  )}
                </td>
                <td>
                  <TokenStatus token={token} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager
        page={page}
        number={shown.number}
        label="Token pages"
        onPage={(pageToken, number) => setShown({ ...shown, pageToken, number })}
      />
    </section>
  );
}

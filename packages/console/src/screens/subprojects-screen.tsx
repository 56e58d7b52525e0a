import type { Account, Page } from "@tokenspace/sdk";
import { useEffect, useState } from "preact/hooks";
import { Notice, ProblemMessage } from "../components/messages.js";
import { Pager } from "../components/pager.js";
import { TextField } from "../components/text-field.js";
import type { Problem } from "../failure.js";
import { absoluteTime } from "../format.js";
import { href } from "../route.js";
import { useSession } from "../session-context.js";

const PAGE_SIZE = 50;

interface Shown {
  readonly pageToken: string | undefined;
  readonly number: number;
  /** Bumped to load the page again after a change. */
  readonly revision: number;
}

/** The project and its subprojects: create, rename, and open one to manage its tokens. */
export function SubprojectsScreen() {
  const { client, report, credentials } = useSession();
  const [shown, setShown] = useState<Shown>({ pageToken: undefined, number: 0, revision: 0 });
  const [page, setPage] = useState<Page<Account>>();
  const [problem, setProblem] = useState<Problem>();
  const reload = () => setShown((current) => ({ ...current, revision: current.revision + 1 }));

  useEffect(() => {
    const controller = new AbortController();
    client.compat.accounts
      .listPage({ pageSize: PAGE_SIZE, pageToken: shown.pageToken, signal: controller.signal })
      .then((loaded) => {
        setPage(loaded);
        setProblem(undefined);
      })
      .catch((error) => controller.signal.aborted || setProblem(report(error)));
    return () => controller.abort();
  }, [client, report, shown]);

  return (
    <section aria-labelledby="subprojects-heading">
      <h1 id="subprojects-heading">Subprojects</h1>
      <p>
        A subproject has its own tokens. Tokens of this project can manage them; a subproject's
        tokens cannot reach this project.
      </p>
      <CreateSubproject onCreated={reload} />
      <ProblemMessage problem={problem} />
      {page && (
        <table class="projects">
          <caption class="visually-hidden">The project and its subprojects</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">ID</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((account) => (
              <ProjectRow
                key={account.sid}
                account={account}
                isHome={account.sid === credentials.projectId}
                onRenamed={reload}
              />
            ))}
          </tbody>
        </table>
      )}
      <Pager
        page={page}
        number={shown.number}
        label="Subproject pages"
        onPage={(pageToken, number) => setShown({ ...shown, pageToken, number })}
      />
    </section>
  );
}

function CreateSubproject({ onCreated }: { onCreated: () => void }) {
  const { client, report } = useSession();
  const [name, setName] = useState("");
  const [problem, setProblem] = useState<Problem>();
  const [created, setCreated] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      const account = await client.compat.accounts.create({ FriendlyName: name });
      setCreated(`Subproject “${account.friendly_name}” created.`);
      setProblem(undefined);
      setName("");
      onCreated();
    } catch (error) {
      setCreated(undefined);
      setProblem(report(error));
    }
  };
  return (
    <form class="panel inline" onSubmit={submit} noValidate aria-labelledby="new-subproject">
      <h2 id="new-subproject">New subproject</h2>
      <TextField
        id="subproject-name"
        label="Subproject name"
        value={name}
        onInput={setName}
        error={problem?.fields.FriendlyName}
      />
      <button type="submit">Create subproject</button>
      <ProblemMessage problem={problem?.fields.FriendlyName ? undefined : problem} />
      <Notice text={created} />
    </form>
  );
}

interface ProjectRowProps {
  readonly account: Account;
  readonly isHome: boolean;
  readonly onRenamed: () => void;
}

function ProjectRow({ account, isHome, onRenamed }: ProjectRowProps) {
  const { client, report } = useSession();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(account.friendly_name);
  const [problem, setProblem] = useState<Problem>();
  const fieldId = `rename-${account.sid}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      await client.compat.accounts.update(account.sid, { FriendlyName: name });
      setRenaming(false);
      setProblem(undefined);
      onRenamed();
    } catch (error) {
      setProblem(report(error));
    }
  };
  return (
    <tr>
      <td>
        {renaming ? (
          <form onSubmit={submit} noValidate class="inline">
            <TextField
              id={fieldId}
              label={`New name for ${account.friendly_name}`}
              value={name}
              onInput={setName}
              error={problem?.fields.FriendlyName}
            />
            <button type="submit">Save name</button>
            <button type="button" onClick={() => setRenaming(false)}>
              Cancel
            </button>
            <ProblemMessage problem={problem?.fields.FriendlyName ? undefined : problem} />
          </form>
        ) : (
          <>
            {account.friendly_name}
            {isHome && " (this project)"}
          </>
        )}
      </td>
      <td>
        <code>{account.sid}</code>
      </td>
      <td>{absoluteTime(account.date_created)}</td>
      <td class="row-actions">
        {!renaming && (
          <button
            type="button"
            aria-label={`Rename ${account.friendly_name}`}
            onClick={() => setRenaming(true)}
          >
            Rename
          </button>
        )}
        {!isHome && (
          <a href={href({ screen: "tokens", projectId: account.sid })}>
            Open<span class="visually-hidden"> {account.friendly_name}</span>
          </a>
        )}
      </td>
    </tr>
  );
}

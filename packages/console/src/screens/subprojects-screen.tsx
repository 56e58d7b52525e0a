import type { Account } from "@tokenspace/sdk";
import { useState } from "preact/hooks";
import { DataTable } from "../components/data-table.js";
import { Notice, ProblemMessage } from "../components/messages.js";
import { Pager } from "../components/pager.js";
import { TextField } from "../components/text-field.js";
import { absoluteTime } from "../format.js";
import { href } from "../route.js";
import { useSession } from "../session-context.js";
import { useAction } from "../use-action.js";
import { usePagedList } from "../use-paged-list.js";

const PAGE_SIZE = 50;

const NAME = "FriendlyName";
const NAME_FIELD = [NAME];

/** The project and its subprojects: create, rename, and open one to manage its tokens. */
export function SubprojectsScreen() {
  const { client, credentials } = useSession();
  const { page, problem, reload, pager } = usePagedList({}, (_filters, pageToken, signal) =>
    client.compat.accounts.listPage({ pageSize: PAGE_SIZE, pageToken, signal }),
  );

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
        <DataTable
          name="projects"
          caption={"The project and its subprojects"}
          columns={["Name", "ID", "Created", "Actions"]}
        >
          {page.items.map((account) => (
            <ProjectRow
              key={account.sid}
              account={account}
              isHome={account.sid === credentials.projectId}
              onRenamed={reload}
            />
          ))}
        </DataTable>
      )}
      <Pager {...pager} label="Subproject pages" />
    </section>
  );
}

function CreateSubproject({ onCreated }: { onCreated: () => void }) {
  const { client } = useSession();
  const { problem, run } = useAction(NAME);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<string>();
  const submit = (event: Event) => {
    event.preventDefault();
    setCreated(undefined);
    return run(async () => {
      const account = await client.compat.accounts.create({ FriendlyName: name });
      setCreated(`Subproject “${account.friendly_name}” created.`);
      setName("");
      onCreated();
    });
  };
  return (
    <form class="panel inline" onSubmit={submit} noValidate aria-labelledby="new-subproject">
      <h2 id="new-subproject">New subproject</h2>
      <TextField
        id="subproject-name"
        label="Subproject name"
        value={name}
        onInput={setName}
        error={problem?.fields[NAME]}
      />
      <button type="submit">Create subproject</button>
      <ProblemMessage problem={problem} besideFields={NAME_FIELD} />
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
  const { client } = useSession();
  const { problem, run } = useAction(NAME);
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(account.friendly_name);
  const submit = (event: Event) => {
    event.preventDefault();
    return run(async () => {
      await client.compat.accounts.update(account.sid, { FriendlyName: name });
      setRenaming(false);
      onRenamed();
    });
  };
  return (
    <tr>
      <td>
        {renaming ? (
          <form onSubmit={submit} noValidate class="inline">
            <TextField
              id={`rename-${account.sid}`}
              label={`New name for ${account.friendly_name}`}
              value={name}
              onInput={setName}
              error={problem?.fields[NAME]}
            />
            <button type="submit">Save name</button>
            <button type="button" onClick={() => setRenaming(false)}>
              Cancel
            </button>
            <ProblemMessage problem={problem} besideFields={NAME_FIELD} />
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

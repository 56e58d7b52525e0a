import type { IssuedManagedToken, Permission } from "@tokenspace/sdk";
import { useState } from "preact/hooks";
import { ProblemMessage } from "../components/messages.js";
import { PermissionPicker } from "../components/permission-picker.js";
import { SecretOnce } from "../components/secret-once.js";
import { TextField } from "../components/text-field.js";
import type { Problem } from "../failure.js";
import { fromLocalInput } from "../format.js";
import { href } from "../route.js";
import { useSession } from "../session-context.js";

interface CreateTokenProps {
  /** The project the token is for: the signed-in one (`home`) or one of its subprojects. */
  readonly projectId: string;
  readonly home: string;
}

export function CreateTokenScreen({ projectId, home }: CreateTokenProps) {
  const { client, report } = useSession();
  const [name, setName] = useState("");
  const [permissions, setPermissions] = useState<Permission[]>([]);
  const [expiresAt, setExpiresAt] = useState("");
  const [problem, setProblem] = useState<Problem>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<IssuedManagedToken>();

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const expiry = fromLocalInput(expiresAt);
      setCreated(
        await client.tokenspace.tokens.create({
          name,
          permissions,
          ...(projectId !== home && { subproject_id: projectId }),
          ...(expiry !== null && { expires_at: expiry }),
        }),
      );
      setProblem(undefined);
    } catch (error) {
      setProblem(report(error));
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <section aria-labelledby="created-heading">
        <h1 id="created-heading">Token “{created.name}” created</h1>
        <SecretOnce secret={created.token} tokenId={created.id} projectId={created.project_id} />
        <p class="actions">
          <a class="button" href={href({ screen: "token", projectId, tokenId: created.id })}>
            Open the token
          </a>
          <a href={href({ screen: "tokens", projectId })}>Back to the tokens</a>
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="create-heading">
      <h1 id="create-heading">Create an API token</h1>
      <form onSubmit={submit} noValidate>
        <TextField
          id="name"
          label="Name"
          value={name}
          onInput={setName}
          error={problem?.fields.name}
          hint="What uses the token, so that you recognise it later: “billing service”."
        />
        <PermissionPicker
          selected={permissions}
          onChange={setPermissions}
          error={problem?.fields.permissions}
        />
        <TextField
          id="expires-at"
          label="Expires (optional)"
          type="datetime-local"
          value={expiresAt}
          onInput={setExpiresAt}
          error={problem?.fields.expires_at}
          hint="Leave empty for a token that does not expire."
        />
        <ProblemMessage problem={problem} />
        <button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create token"}
        </button>
      </form>
    </section>
  );
}

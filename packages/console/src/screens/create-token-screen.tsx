import type { IssuedManagedToken } from "@tokenspace/sdk";
import { useState } from "preact/hooks";
import { ProblemMessage } from "../components/messages.js";
import { SecretOnce } from "../components/secret-once.js";
import { TOKEN_FIELDS, TokenFields, type TokenFieldValues } from "../components/token-fields.js";
import { fromLocalInput } from "../format.js";
import { href } from "../route.js";
import { useSession } from "../session-context.js";
import { useAction } from "../use-action.js";

interface CreateTokenProps {
  /** The project the token is for: the signed-in one (`home`) or one of its subprojects. */
  readonly projectId: string;
  readonly home: string;
}

export function CreateTokenScreen({ projectId, home }: CreateTokenProps) {
  const { client } = useSession();
  const { problem, busy, run } = useAction();
  const [values, setValues] = useState<TokenFieldValues>({
    name: "",
    permissions: [],
    expiresAt: "",
  });
  const [created, setCreated] = useState<IssuedManagedToken>();

  const submit = (event: Event) => {
    event.preventDefault();
    const expiry = fromLocalInput(values.expiresAt);
    return run(async () =>
      setCreated(
        await client.tokenspace.tokens.create({
          name: values.name,
          permissions: values.permissions,
          ...(projectId !== home && { subproject_id: projectId }),
          ...(expiry !== null && { expires_at: expiry }),
        }),
      ),
    );
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
        <TokenFields
          values={values}
          onChange={setValues}
          problem={problem}
          nameHint="What uses the token, so that you recognise it later: “billing service”."
        />
        <ProblemMessage problem={problem} besideFields={TOKEN_FIELDS} />
        <button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create token"}
        </button>
      </form>
    </section>
  );
}

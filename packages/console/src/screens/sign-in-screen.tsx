import { useState } from "preact/hooks";
import { ProblemMessage } from "../components/messages.js";
import { TextField } from "../components/text-field.js";
import { describeFailure, type Problem } from "../failure.js";
import { type Credentials, checkCredentials } from "../session.js";

interface SignInProps {
  readonly onSignedIn: (credentials: Credentials) => void;
  /** Why the last session ended, when it did. */
  readonly farewell: string | undefined;
}

/** Signs in with a project id and a `management` token; stores them only once they work. */
export function SignInScreen({ onSignedIn, farewell }: SignInProps) {
  const [projectId, setProjectId] = useState("");
  const [token, setToken] = useState("");
  const [problem, setProblem] = useState<Problem>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    const credentials = { projectId: projectId.trim(), token: token.trim() };
    try {
      const outcome = await checkCredentials(credentials);
      if (outcome.ok) {
        onSignedIn(credentials);
        return;
      }
      setProblem({
        message:
          outcome.status === 403
            ? "This token is valid but lacks the management permission, which the console needs: sign in with a token that has it."
            : "That project ID and API token do not sign in: check both, and that the token is neither deleted, disabled nor expired.",
        fields: {},
        endsSession: false,
      });
    } catch (error) {
      setProblem(describeFailure(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <h1>Tokenspace console</h1>
      <p>
        Sign in with your project ID and an API token that has the <code>management</code>{" "}
        permission. The token stays in this browser tab only, until you sign out or close it.
      </p>
      {farewell && (
        <p class="notice" role="status">
          {farewell}
        </p>
      )}
      <form onSubmit={submit}>
        <TextField
          id="project-id"
          label="Project ID"
          value={projectId}
          onInput={setProjectId}
          required
          autoComplete="username"
        />
        <TextField
          id="api-token"
          label="API token"
          type="password"
          value={token}
          onInput={setToken}
          required
          autoComplete="current-password"
        />
        <ProblemMessage problem={problem} />
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}

import type {
  AuditEntry,
  IssuedManagedToken,
  ManagedToken,
  UpdateManagedTokenParams,
  Usage,
} from "@tokenspace/sdk";
import { useEffect, useState } from "preact/hooks";
import { AuditTable } from "../components/audit-table.js";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { Notice, ProblemMessage } from "../components/messages.js";
import { SecretOnce } from "../components/secret-once.js";
import { TextField } from "../components/text-field.js";
import { TOKEN_FIELDS, TokenFields, type TokenFieldValues } from "../components/token-fields.js";
import { TokenStatus } from "../components/token-status.js";
import { UsageChart } from "../components/usage-chart.js";
import type { Problem } from "../failure.js";
import { absoluteTime, fromLocalInput, relativeTime, toLocalInput } from "../format.js";
import { href } from "../route.js";
import { useSession } from "../session-context.js";
import { useAction } from "../use-action.js";

const OVERLAPS = [
  { value: "0", label: "Stop the old secret at once" },
  { value: "1h", label: "Keep the old secret working for 1 hour" },
  { value: "1d", label: "Keep the old secret working for 1 day" },
  { value: "7d", label: "Keep the old secret working for 7 days" },
];

interface TokenScreenProps {
  readonly projectId: string;
  readonly tokenId: string;
}

/** One token: its lifecycle, and every action on it. */
export function TokenScreen({ projectId, tokenId }: TokenScreenProps) {
  const { client, report } = useSession();
  const [token, setToken] = useState<ManagedToken>();
  const [loadProblem, setLoadProblem] = useState<Problem>();
  const [deleted, setDeleted] = useState(false);

  useEffect(() => {
    client.tokenspace.tokens.get(tokenId).then(setToken, (error) => setLoadProblem(report(error)));
  }, [client, report, tokenId]);

  const back = <a href={href({ screen: "tokens", projectId })}>Back to the tokens</a>;
  if (deleted && token) {
    return (
      <section aria-labelledby="deleted-heading">
        <h1 id="deleted-heading">Token “{token.name}” deleted</h1>
        <p>It no longer authenticates any request.</p>
        {back}
      </section>
    );
  }
  if (!token) {
    return (
      <section>
        <ProblemMessage problem={loadProblem} />
        {loadProblem && back}
      </section>
    );
  }
  return (
    <section aria-labelledby="token-heading">
      <p>{back}</p>
      <h1 id="token-heading">{token.name}</h1>
      <TokenFacts token={token} />
      <TokenUsage token={token} />
      <EditToken token={token} onChanged={setToken} />
      <EditLimits token={token} onChanged={setToken} />
      <EnableToken token={token} onChanged={setToken} />
      <RerollToken token={token} onChanged={setToken} />
      <DeleteToken token={token} onDeleted={() => setDeleted(true)} />
      <RecentActivity token={token} />
    </section>
  );
}

function TimeFact({ iso, none }: { iso: string | null; none: string }) {
  if (!iso) return <>{none}</>;
  return (
    <time dateTime={iso} title={absoluteTime(iso)}>
      {relativeTime(iso)}
    </time>
  );
}

function TokenFacts({ token }: { token: ManagedToken }) {
  return (
    <dl class="facts">
      <dt>Status</dt>
      <dd>
        <TokenStatus token={token} />
      </dd>
      <dt>Token ID</dt>
      <dd>
        <code>{token.id}</code>
      </dd>
      <dt>Created</dt>
      <dd>
        <TimeFact iso={token.created_at} none="" />
      </dd>
      <dt>Last used</dt>
      <dd>
        <TimeFact iso={token.last_used_at} none="Never" />
        {token.last_used_ip && <> from {token.last_used_ip}</>}
      </dd>
      <dt>Rate limit</dt>
      <dd>
        {token.rate_limit
          ? `${token.rate_limit.limit} verifications per ${token.rate_limit.window}`
          : "None"}
      </dd>
      <dt>Uses left</dt>
      <dd>
        {token.uses_remaining === null ? "Unlimited" : token.uses_remaining}
        {token.uses_refill &&
          `, back to ${token.uses_refill.amount} every ${token.uses_refill.every}`}
      </dd>
      <dt>Expires</dt>
      <dd>
        <TimeFact iso={token.expires_at} none="Never" />
      </dd>
      {token.previous_token_expires_at && (
        <>
          <dt>Previous secret works until</dt>
          <dd>
            <TimeFact iso={token.previous_token_expires_at} none="" />
          </dd>
        </>
      )}
    </dl>
  );
}

interface ActionProps {
  readonly token: ManagedToken;
  readonly onChanged: (token: ManagedToken) => void;
}

/**
 * A form's changes to a token: sent when there are any, and the outcome told. Only what changed
 * is sent, so the audit log names only what changed.
 */
function useTokenUpdate(token: ManagedToken, onChanged: (token: ManagedToken) => void) {
  const { client } = useSession();
  const { problem, run } = useAction();
  const [saved, setSaved] = useState<string>();
  const save = (changes: UpdateManagedTokenParams, done: string) => {
    if (Object.keys(changes).length === 0) {
      setSaved("Nothing changed.");
      return;
    }
    setSaved(undefined);
    return run(async () => {
      onChanged(await client.tokenspace.tokens.update(token.id, changes));
      setSaved(done);
    });
  };
  return { problem, saved, save };
}

function EditToken({ token, onChanged }: ActionProps) {
  const { problem, saved, save } = useTokenUpdate(token, onChanged);
  const [values, setValues] = useState<TokenFieldValues>({
    name: token.name,
    permissions: token.permissions,
    expiresAt: toLocalInput(token.expires_at),
  });

  const submit = (event: Event) => {
    event.preventDefault();
    const expiry = fromLocalInput(values.expiresAt);
    const changes = {
      ...(values.name !== token.name && { name: values.name }),
      ...(values.permissions.join() !== token.permissions.join() && {
        permissions: values.permissions,
      }),
      ...(expiry !== (token.expires_at && fromLocalInput(toLocalInput(token.expires_at))) && {
        expires_at: expiry,
      }),
    };
    return save(changes, "Changes saved.");
  };
  return (
    <form class="panel" onSubmit={submit} noValidate aria-labelledby="edit-heading">
      <h2 id="edit-heading">Name, permissions and expiry</h2>
      <TokenFields values={values} onChange={setValues} problem={problem} />
      <ProblemMessage problem={problem} besideFields={TOKEN_FIELDS} />
      <Notice text={saved} />
      <button type="submit">Save changes</button>
    </form>
  );
}

/** Digits as a number; anything else as typed, for the server to name what is wrong. */
const wholeNumber = (text: string): number =>
  /^\d+$/.test(text.trim()) ? Number(text) : (text as unknown as number);

const LIMIT_FIELDS = ["rate_limit", "uses_remaining", "uses_refill"];

function EditLimits({ token, onChanged }: ActionProps) {
  const { problem, saved, save } = useTokenUpdate(token, onChanged);
  const initial = {
    rate: token.rate_limit ? String(token.rate_limit.limit) : "",
    window: token.rate_limit?.window ?? "1m",
    uses: token.uses_remaining === null ? "" : String(token.uses_remaining),
    refill: token.uses_refill ? String(token.uses_refill.amount) : "",
    every: token.uses_refill?.every ?? "30d",
  };
  const [values, setValues] = useState(initial);
  const field = (name: keyof typeof initial) => (value: string) =>
    setValues((current) => ({ ...current, [name]: value }));

  const submit = (event: Event) => {
    event.preventDefault();
    // Saving a new rate must not put back a stale count of uses.
    const changed = (...names: (keyof typeof initial)[]) =>
      names.some((name) => values[name].trim() !== initial[name]);
    const changes: UpdateManagedTokenParams = {
      ...(changed("rate", "window") && {
        rate_limit:
          values.rate.trim() === ""
            ? null
            : { limit: wholeNumber(values.rate), window: values.window.trim() },
      }),
      ...(changed("uses") && {
        uses_remaining: values.uses.trim() === "" ? null : wholeNumber(values.uses),
      }),
      ...(changed("refill", "every") && {
        uses_refill:
          values.refill.trim() === ""
            ? null
            : { amount: wholeNumber(values.refill), every: values.every.trim() },
      }),
    };
    return save(changes, "Limits saved.");
  };
  return (
    <form class="panel" onSubmit={submit} noValidate aria-labelledby="limits-heading">
      <h2 id="limits-heading">Limits</h2>
      <p>
        Enforced when a proxy or service verifies the token (/auth/verify, /auth/introspect). Leave
        a count empty for no limit.
      </p>
      <CountPer
        ids={["rate-limit", "rate-window"]}
        labels={["Verifications allowed", "per (1s to 1d)"]}
        values={[values.rate, values.window]}
        onInput={[field("rate"), field("window")]}
        error={problem?.fields.rate_limit}
      />
      <TextField
        id="uses-remaining"
        label="Uses left"
        value={values.uses}
        onInput={field("uses")}
        error={problem?.fields.uses_remaining}
        hint="Each allowed verification spends one."
      />
      <CountPer
        ids={["refill-amount", "refill-every"]}
        labels={["Refill uses to", "every (1m to 366d)"]}
        values={[values.refill, values.every]}
        onInput={[field("refill"), field("every")]}
        error={problem?.fields.uses_refill}
      />
      <ProblemMessage problem={problem} besideFields={LIMIT_FIELDS} />
      <Notice text={saved} />
      <button type="submit">Save limits</button>
    </form>
  );
}

type Pair<T> = readonly [count: T, per: T];

/** A count and the duration it is per, side by side: one field on the wire, two inputs here. */
function CountPer(props: {
  readonly ids: Pair<string>;
  readonly labels: Pair<string>;
  readonly values: Pair<string>;
  readonly onInput: Pair<(value: string) => void>;
  readonly error: string | undefined;
}) {
  return (
    <div class="limit-row">
      {([0, 1] as const).map((index) => (
        <TextField
          key={props.ids[index]}
          id={props.ids[index]}
          label={props.labels[index]}
          value={props.values[index]}
          onInput={props.onInput[index]}
          error={index === 0 ? props.error : undefined}
        />
      ))}
    </div>
  );
}

/** The last 7 days of verifications, by the hour. */
function TokenUsage({ token }: { token: ManagedToken }) {
  const { client, report } = useSession();
  const [usage, setUsage] = useState<Usage>();
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => {
    client.tokenspace.tokens
      .usage(token.id, { since: "7d", granularity: "hour" })
      .then(setUsage, (error) => setProblem(report(error)));
  }, [client, report, token.id]);
  return (
    <div class="panel">
      <h2>Verifications, last 7 days</h2>
      <ProblemMessage problem={problem} />
      {usage && <UsageChart usage={usage} />}
    </div>
  );
}

function EnableToken({ token, onChanged }: ActionProps) {
  const { client } = useSession();
  const { problem, run } = useAction();
  const toggle = () =>
    run(async () =>
      onChanged(
        await (token.enabled
          ? client.tokenspace.tokens.disable(token.id)
          : client.tokenspace.tokens.enable(token.id)),
      ),
    );
  return (
    <div class="panel">
      <h2>{token.enabled ? "Disable" : "Enable"}</h2>
      <p>
        {token.enabled
          ? "A disabled token is refused like a deleted one, until you enable it again."
          : "This token is disabled: every request with it is refused."}
      </p>
      <ProblemMessage problem={problem} />
      <button type="button" onClick={toggle}>
        {token.enabled ? "Disable token" : "Enable token"}
      </button>
    </div>
  );
}

function RerollToken({ token, onChanged }: ActionProps) {
  const { client } = useSession();
  const { problem, run } = useAction();
  const [overlap, setOverlap] = useState("0");
  const [rerolled, setRerolled] = useState<IssuedManagedToken>();
  const submit = (event: Event) => {
    event.preventDefault();
    return run(async () => {
      const issued = await client.tokenspace.tokens.reroll(token.id, { overlap });
      setRerolled(issued);
      onChanged(issued);
    });
  };
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="reroll-heading">
      <h2 id="reroll-heading">Reroll the secret</h2>
      <p>A new secret for the same token: same ID, name and permissions.</p>
      <div class="field">
        <label for="overlap">The old secret</label>
        <select
          id="overlap"
          value={overlap}
          aria-invalid={problem?.fields.overlap ? "true" : undefined}
          onChange={(event) => setOverlap(event.currentTarget.value)}
        >
          {OVERLAPS.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
        {problem?.fields.overlap && <p class="field-error">{problem.fields.overlap}</p>}
      </div>
      <ProblemMessage problem={problem} besideFields={["overlap"]} />
      <button type="submit">Reroll secret</button>
      {rerolled && (
        <SecretOnce secret={rerolled.token} tokenId={rerolled.id} projectId={rerolled.project_id} />
      )}
    </form>
  );
}

function DeleteToken({ token, onDeleted }: { token: ManagedToken; onDeleted: () => void }) {
  const { client } = useSession();
  const { problem, run } = useAction();
  const [asking, setAsking] = useState(false);
  const confirm = () => {
    setAsking(false);
    return run(async () => {
      await client.tokenspace.tokens.delete(token.id);
      onDeleted();
    });
  };
  return (
    <div class="panel">
      <h2>Delete</h2>
      <p>Every request with this token is refused from then on. This cannot be undone.</p>
      <ProblemMessage problem={problem} />
      <button type="button" class="danger" onClick={() => setAsking(true)}>
        Delete token
      </button>
      {asking && (
        <ConfirmDialog
          title={`Delete “${token.name}”?`}
          confirmLabel="Delete for good"
          onConfirm={confirm}
          onCancel={() => setAsking(false)}
        >
          <p>Apps using this token stop working at once.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function RecentActivity({ token }: { token: ManagedToken }) {
  const { client, report } = useSession();
  const [entries, setEntries] = useState<AuditEntry[]>();
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => {
    client.tokenspace.audit
      .listPage({ target: token.id, order: "newest_first", pageSize: 10 })
      .then(
        (page) => setEntries(page.items),
        (error) => setProblem(report(error)),
      );
  }, [client, report, token]);
  return (
    <div class="panel">
      <h2>Recent activity</h2>
      <ProblemMessage problem={problem} />
      {entries && <AuditTable entries={entries} caption="Latest changes to this token" />}
    </div>
  );
}

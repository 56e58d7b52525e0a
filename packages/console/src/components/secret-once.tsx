import { useState } from "preact/hooks";

interface SecretOnceProps {
  readonly secret: string;
  readonly tokenId: string;
  readonly projectId: string;
}

/** A new secret, shown this once, with a copy button and where to find it again. */
export function SecretOnce({ secret, tokenId, projectId }: SecretOnceProps) {
  const [copied, setCopied] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("Copied to the clipboard.");
    } catch {
      setCopied("The browser would not copy: select the secret and copy it yourself.");
    }
  };
  return (
    <section class="secret-once" aria-labelledby="secret-heading">
      <h2 id="secret-heading">Copy the secret now</h2>
      <p>
        This console will not show it again. Store it where the app that uses it can read it. Should
        you lose it, a token with the <code>management</code> permission can read it back through
        the Tokens API:{" "}
        <code>
          GET /api/laml/2010-04-01/Accounts/{projectId}/tokens/{tokenId}
        </code>{" "}
        returns it as <code>token</code>.
      </p>
      <div class="secret-row">
        <label for="new-secret">Secret</label>
        <input
          id="new-secret"
          readOnly
          value={secret}
          spellcheck={false}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" onClick={copy}>
          Copy secret
        </button>
      </div>
      <p role="status" class="notice">
        {copied ?? ""}
      </p>
    </section>
  );
}

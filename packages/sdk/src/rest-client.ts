import { CompatAccounts } from "./compat-accounts.js";
import { CompatTokens } from "./compat-tokens.js";
import { ProjectTokens } from "./project-tokens.js";
import { TokenspaceResource } from "./tokenspace-resource.js";
import { type RetryPolicy, Transport } from "./transport.js";

export interface RestClientOptions {
  /** Your project id: the HTTP Basic username. Default: SIGNALWIRE_PROJECT_ID. */
  readonly project?: string;
  /** An API token of that project: the HTTP Basic password. Default: SIGNALWIRE_API_TOKEN. */
  readonly token?: string;
  /**
   * Your space: `your-space.signalwire.com` (HTTPS), or a whole origin such as
   * `http://127.0.0.1:8080` for a local Tokenspace. Default: SIGNALWIRE_SPACE.
   */
  readonly host?: string;
  /** The fetch to send requests with; the global one by default. */
  readonly fetchImpl?: typeof fetch;
  /** Tokenspace addition: the origin, e.g. `http://127.0.0.1:8080`; wins over `host`. */
  readonly baseUrl?: string;
  /** Tokenspace addition: longest one attempt may take, in ms (default 30000; 0 for none). */
  readonly timeoutMs?: number;
  /** Tokenspace addition: retries on 429 and 503, and on lost connections of idempotent calls. */
  readonly retry?: Partial<RetryPolicy>;
}

const DEFAULT_RETRY: RetryPolicy = { retries: 2, minDelayMs: 200, maxDelayMs: 5000 };

/** The environment where there is one (Node.js, Deno, Bun); a browser has none. */
function environment(): Readonly<Record<string, string | undefined>> {
  const runtime = globalThis as { process?: { env?: Record<string, string | undefined> } };
  return runtime.process?.env ?? {};
}

/** `your-space.signalwire.com` means HTTPS to it; a value with a scheme is an origin as is. */
function originOf(host: string): string {
  return (/^https?:\/\//i.test(host) ? host : `https://${host}`).replace(/\/+$/, "");
}

/**
 * A client for SignalWire's token APIs with SignalWire's call shape, for Tokenspace and for
 * SignalWire itself: `client.compat.tokens.create({...})`.
 */
export class RestClient {
  readonly compat: { readonly tokens: CompatTokens; readonly accounts: CompatAccounts };
  readonly project: { readonly tokens: ProjectTokens };
  /** Tokenspace addition: Tokenspace's own endpoints (introspection). */
  readonly tokenspace: TokenspaceResource;

  constructor(options: RestClientOptions = {}) {
    const env = environment();
    const project = options.project ?? env.SIGNALWIRE_PROJECT_ID;
    const token = options.token ?? env.SIGNALWIRE_API_TOKEN;
    const host = options.baseUrl ?? options.host ?? env.SIGNALWIRE_SPACE;
    if (!project || !token) {
      throw new TypeError(
        "RestClient needs a project id and an API token: pass project and token, or set SIGNALWIRE_PROJECT_ID and SIGNALWIRE_API_TOKEN.",
      );
    }
    const baseUrl = host ? originOf(host) : "";
    if (!/^https?:\/\/[^/]/i.test(baseUrl)) {
      throw new TypeError(
        'RestClient needs a host ("your-space.signalwire.com" or "http://127.0.0.1:8080"): pass host, or set SIGNALWIRE_SPACE.',
      );
    }
    const fetchImpl = options.fetchImpl ?? globalThis.fetch;
    const transport = new Transport({
      baseUrl,
      project,
      token,
      fetchImpl: (input, init) => fetchImpl(input, init),
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: { ...DEFAULT_RETRY, ...options.retry },
    });
    this.compat = { tokens: new CompatTokens(transport), accounts: new CompatAccounts(transport) };
    this.project = { tokens: new ProjectTokens(transport) };
    this.tokenspace = new TokenspaceResource(transport);
  }
}

import { CompatAccounts } from "./compat-accounts.js";
import { CompatTokens } from "./compat-tokens.js";
import { ProjectTokens } from "./project-tokens.js";
import { type RetryPolicy, Transport } from "./transport.js";

interface CommonOptions {
  /** Your project id: the HTTP Basic username. */
  readonly project: string;
  /** An API token of that project: the HTTP Basic password. */
  readonly token: string;
  /** The fetch to send requests with; the global one by default. */
  readonly fetch?: typeof fetch;
  /** Longest one attempt may take, in milliseconds (default 30000; 0 for no limit). */
  readonly timeoutMs?: number;
  /** Retries on 429 and 503, and on connection failures of idempotent requests. */
  readonly retry?: Partial<RetryPolicy>;
}

export type RestClientOptions = CommonOptions &
  (
    | {
        /** Your space's host, as SignalWire names it: `your-space.signalwire.com` (HTTPS). */
        readonly host: string;
        readonly baseUrl?: never;
      }
    | {
        /** The full base URL, e.g. `http://127.0.0.1:8080` for a local Tokenspace. */
        readonly baseUrl: string;
        readonly host?: never;
      }
  );

const DEFAULT_RETRY: RetryPolicy = { retries: 2, minDelayMs: 200, maxDelayMs: 5000 };

/**
 * A client for SignalWire's token APIs with SignalWire's call shape, for Tokenspace and for
 * SignalWire itself: `client.compat.tokens.create({...})`.
 */
export class RestClient {
  readonly compat: { readonly tokens: CompatTokens; readonly accounts: CompatAccounts };
  readonly project: { readonly tokens: ProjectTokens };

  constructor(options: RestClientOptions) {
    if (!options.project || !options.token) {
      throw new TypeError("RestClient needs a project id and an API token.");
    }
    const baseUrl = (options.baseUrl ?? (options.host ? `https://${options.host}` : "")).replace(
      /\/+$/,
      "",
    );
    if (!/^https?:\/\/[^/]/.test(baseUrl)) {
      throw new TypeError(
        'RestClient needs a host ("your-space.signalwire.com") or a baseUrl ("http://127.0.0.1:8080").',
      );
    }
    const fetchImplementation = options.fetch ?? globalThis.fetch;
    const transport = new Transport({
      baseUrl,
      project: options.project,
      token: options.token,
      fetch: (input, init) => fetchImplementation(input, init),
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: { ...DEFAULT_RETRY, ...options.retry },
    });
    this.compat = { tokens: new CompatTokens(transport), accounts: new CompatAccounts(transport) };
    this.project = { tokens: new ProjectTokens(transport) };
  }
}

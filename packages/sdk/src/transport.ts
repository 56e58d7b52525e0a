import { ERROR_BODY_LIMIT, parseBody, readTextUpTo } from "./response-body.js";
import { ConnectionError, RestError } from "./rest-error.js";

export interface RetryPolicy {
  /** Retries after the first attempt (0 turns retrying off). */
  readonly retries: number;
  /** Pause before the first retry; each further retry doubles it, up to `maxDelayMs`. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

interface TransportOptions {
  readonly baseUrl: string;
  readonly project: string;
  readonly token: string;
  readonly fetchImpl: typeof fetch;
  /** Per attempt; `0` waits as long as the connection does. */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
}

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);
const RETRIED_STATUSES = new Set([429, 503]);

/**
 * Sends JSON requests with HTTP Basic credentials. Retries answers of 429 and 503 (which say
 * nothing was done) for every method, honouring Retry-After, and connection failures for
 * idempotent methods only; waits grow exponentially, with jitter.
 */
export class Transport {
  readonly #authorization: string;

  constructor(private readonly options: TransportOptions) {
    this.#authorization = `Basic ${base64(`${options.project}:${options.token}`)}`;
  }

  get project(): string {
    return this.options.project;
  }

  async request<T>(method: string, path: string, request: RequestOptions = {}): Promise<T> {
    const url = this.#url(path, request.query);
    const { retry } = this.options;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.#send(method, url, request);
      } catch (error) {
        if (error instanceof ConnectionError && IDEMPOTENT.has(method) && attempt < retry.retries) {
          await pause(backoff(retry, attempt), request.signal);
          continue;
        }
        throw error;
      }
      if (RETRIED_STATUSES.has(response.status) && attempt < retry.retries) {
        // Read, not cancelled (unless it runs past the limit): a browser reports a cancelled
        // response as failed.
        await readTextUpTo(response, ERROR_BODY_LIMIT);
        await pause(retryAfter(response) ?? backoff(retry, attempt), request.signal);
        continue;
      }
      if (!response.ok) {
        const body = parseBody(await readTextUpTo(response, ERROR_BODY_LIMIT));
        throw new RestError(response.status, body, url, method, retryAfter(response));
      }
      return (response.status === 204 ? {} : parseBody(await response.text())) as T;
    }
  }

  async #send(method: string, url: string, request: RequestOptions): Promise<Response> {
    const signals = [
      request.signal,
      this.options.timeoutMs > 0 ? AbortSignal.timeout(this.options.timeoutMs) : undefined,
    ].filter((signal): signal is AbortSignal => signal !== undefined);
    const headers: Record<string, string> = {
      authorization: this.#authorization,
      accept: "application/json",
    };
    if (request.body !== undefined) headers["content-type"] = "application/json";
    try {
      return await this.options.fetchImpl(url, {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
      });
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      const timedOut = (error as Error)?.name === "TimeoutError";
      throw new ConnectionError(url, method, timedOut, (error as Error)?.message ?? String(error));
    }
  }

  #url(path: string, query: RequestOptions["query"] = {}): string {
    const params = Object.entries(query)
      .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
    const separator = path.includes("?") ? "&" : "?";
    return `${this.options.baseUrl}${path}${params.length > 0 ? separator + params.join("&") : ""}`;
  }
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
function retryAfter(response: Response): number | undefined {
  const header = response.headers.get("retry-after");
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

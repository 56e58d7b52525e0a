/** The longest response body a RestError's message quotes. */
const QUOTED_BODY_LIMIT = 1000;

/**
 * An HTTP error answer from the API, as SignalWire's SDK reports it: the message is
 * `METHOD URL returned STATUS: BODY`, with `statusCode` and the parsed `body` (JSON, or the text
 * when it is not JSON). Carries no credentials, so printing it is safe. Also exported as
 * `SignalWireRestError`.
 */
export class RestError extends Error {
  override readonly name = "RestError";

  constructor(
    readonly statusCode: number,
    readonly body: unknown,
    readonly url: string,
    readonly method: string,
    /**
     * Tokenspace addition: how long the server asked to wait before trying again (its
     * Retry-After, in ms), on a 429 or 503 that was not retried or ran out of retries.
     */
    readonly retryAfterMs?: number,
  ) {
    super(`${method} ${url} returned ${statusCode}: ${quote(body)}`);
  }

  /**
   * Tokenspace addition: the API's error code: the compatibility number (`20003`), the
   * validation code (`"invalid_auth_token_permissions"`), or the first native validation
   * item's code.
   */
  get code(): number | string | undefined {
    const body = this.body as ErrorBody | undefined;
    return body?.code ?? body?.errors?.[0]?.code;
  }

  /** Tokenspace addition: the request field a validation error is about, when one is named. */
  get attribute(): string | undefined {
    const body = this.body as ErrorBody | undefined;
    return body?.attribute ?? body?.errors?.[0]?.attribute ?? undefined;
  }

  /** Tokenspace addition: the API's own words for what went wrong, for people. */
  get detail(): string {
    if (typeof this.body === "string") return this.body.slice(0, QUOTED_BODY_LIMIT);
    const body = (this.body ?? {}) as ErrorBody;
    const messages = body.errors?.map((item) => item.message).filter(Boolean);
    return (messages?.length ? messages.join(" ") : (body.message ?? body.error)) ?? "";
  }
}

/** Tokenspace addition: the request never got an HTTP answer (connection failed, timed out). */
export class ConnectionError extends Error {
  override readonly name = "ConnectionError";

  constructor(
    readonly url: string,
    readonly method: string,
    readonly timedOut: boolean,
    reason: string,
  ) {
    super(`${method} ${url} ${timedOut ? "timed out" : `could not connect: ${reason}`}`);
  }
}

interface ErrorBody {
  code?: number | string;
  message?: string;
  error?: string;
  attribute?: string | null;
  errors?: Array<{ code?: string; message?: string; attribute?: string | null }>;
}

function quote(body: unknown): string {
  const text = typeof body === "string" ? body : (JSON.stringify(body) ?? "");
  return text.length > QUOTED_BODY_LIMIT ? `${text.slice(0, QUOTED_BODY_LIMIT)}…` : text;
}

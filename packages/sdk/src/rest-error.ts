/**
 * An HTTP error answer from the API: the status, the parsed body (JSON, or text when it is not
 * JSON), and which request it answered. Carries no credentials, so printing it is safe.
 */
export class RestError extends Error {
  override readonly name = "RestError";

  constructor(
    readonly statusCode: number,
    readonly body: unknown,
    readonly url: string,
    readonly method: string,
  ) {
    super(`${method} ${url} failed with ${statusCode}: ${describe(body)}`);
  }

  /**
   * The API's error code: the compatibility number (`20003`), the validation code
   * (`"invalid_auth_token_permissions"`), or the first native validation item's code.
   */
  get code(): number | string | undefined {
    const body = this.body as ErrorBody | undefined;
    return body?.code ?? body?.errors?.[0]?.code;
  }

  /** The request field a validation error is about, when the API names one. */
  get attribute(): string | undefined {
    const body = this.body as ErrorBody | undefined;
    return body?.attribute ?? body?.errors?.[0]?.attribute ?? undefined;
  }
}

/** The request never got an HTTP answer: the connection failed, or the timeout ran out. */
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

function describe(body: unknown): string {
  if (typeof body === "string") return body.slice(0, 500) || "(empty body)";
  const parsed = (body ?? {}) as ErrorBody;
  const messages = parsed.errors?.map((item) => item.message).filter(Boolean);
  return (
    (messages?.length ? messages.join(" ") : (parsed.message ?? parsed.error)) ?? "(no message)"
  );
}

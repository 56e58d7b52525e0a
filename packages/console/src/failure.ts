import { ConnectionError, RestError } from "@tokenspace/sdk";

/** A failed request, told for people: a message, and the form fields it is about. */
export interface Problem {
  readonly message: string;
  /** Messages by the request field they name (`name`, `permissions`, `FriendlyName`...). */
  readonly fields: Readonly<Record<string, string>>;
  /** The server no longer accepts the session's token: back to sign-in. */
  readonly endsSession: boolean;
}

interface ValidationItem {
  readonly attribute?: string | null;
  readonly message?: string;
}

function fieldMessages(body: unknown): Record<string, string> {
  const shaped = (body ?? {}) as { errors?: ValidationItem[] } & ValidationItem;
  const items = Array.isArray(shaped.errors) ? shaped.errors : [shaped];
  const fields: Record<string, string> = {};
  for (const item of items) {
    if (item.attribute && item.message && !(item.attribute in fields)) {
      fields[item.attribute] = item.message;
    }
  }
  return fields;
}

function seconds(ms: number): string {
  const whole = Math.max(1, Math.ceil(ms / 1000));
  return whole === 1 ? "1 second" : `${whole} seconds`;
}

/**
 * `soleField`: the one field a form has. A validation failure that names no field (the
 * Compatibility API's bodies carry no attribute) is then about that field.
 */
export function describeFailure(error: unknown, soleField?: string): Problem {
  if (error instanceof RestError) {
    const detail = error.detail || `The server answered ${error.statusCode}.`;
    switch (error.statusCode) {
      case 401:
        return {
          message:
            "Your session has ended: the server no longer accepts this token for managing the project (it may have been deleted, disabled or rerolled, expired, or lost its management permission). Sign in again.",
          fields: {},
          endsSession: true,
        };
      case 403:
        return {
          message: `This token may not do that: ${detail}`,
          fields: {},
          endsSession: false,
        };
      case 429:
        return {
          message: `Too many requests. Try again in ${seconds(error.retryAfterMs ?? 1000)}.`,
          fields: {},
          endsSession: false,
        };
      default: {
        const fields = fieldMessages(error.body);
        if (soleField && error.statusCode === 422 && Object.keys(fields).length === 0) {
          fields[soleField] = detail;
        }
        return { message: detail, fields, endsSession: false };
      }
    }
  }
  if (error instanceof ConnectionError) {
    return {
      message: error.timedOut
        ? "The server did not answer in time. Try again."
        : "The server could not be reached. Check that Tokenspace is running, then try again.",
      fields: {},
      endsSession: false,
    };
  }
  return {
    message: error instanceof Error ? error.message : String(error),
    fields: {},
    endsSession: false,
  };
}

import { isUuid } from "./identifiers.js";
import { PERMISSIONS, suggestPermission } from "./permissions.js";

/** The longest excerpt of a client's own input that a message quotes back. */
const QUOTED_INPUT_LIMIT = 64;

/** The validation codes SignalWire's contract names, on both surfaces. */
export const VALIDATION_CODES = [
  "missing_required_parameter",
  "invalid_parameter",
  "invalid_auth_token_permissions",
  "invalid_subproject_id",
] as const;

type ValidationCode = (typeof VALIDATION_CODES)[number];

/** One broken rule in a request, written for the person who sent it. */
export interface ValidationProblem {
  readonly code: ValidationCode;
  readonly attribute: string;
  readonly message: string;
}

const VALID_PERMISSIONS_TEXT = PERMISSIONS.join(", ");

export function missingParameter(attribute: string, expected: string): ValidationProblem {
  return {
    code: "missing_required_parameter",
    attribute,
    message: `${attribute} is required: ${expected}.`,
  };
}

export function invalidParameter(attribute: string, expected: string): ValidationProblem {
  return { code: "invalid_parameter", attribute, message: `${attribute} must be ${expected}.` };
}

/** A `project_id` query filter that is not a project id; undefined when it is one or absent. */
export function invalidProjectIdFilter(value: string | undefined): ValidationProblem | undefined {
  return value === undefined || isUuid(value)
    ? undefined
    : invalidParameter("project_id", "a project id (a UUID)");
}

export function unknownParameter(
  attribute: string,
  accepted: readonly string[],
): ValidationProblem {
  const shown = excerpt(attribute);
  return {
    code: "invalid_parameter",
    attribute: shown,
    message: `${shown} is not a recognised parameter; this request accepts ${accepted.join(", ")} (names are case-sensitive).`,
  };
}

/** A list longer than any valid one: refused whole, so its entries are never looked at. */
export function listTooLong(attribute: string, max: number): ValidationProblem {
  return {
    code: attribute === "permissions" ? "invalid_auth_token_permissions" : "invalid_parameter",
    attribute: excerpt(attribute),
    message: `${excerpt(attribute)} must list at most ${max} items.`,
  };
}

/** Text that would not survive storage or display as sent: control characters, broken UTF-16. */
export function unstorableText(attribute: string, value: string): ValidationProblem | undefined {
  if (hasControlCharacter(value)) {
    return {
      code: "invalid_parameter",
      attribute,
      message: `${attribute} must not contain control characters (such as NUL, a tab or a line break).`,
    };
  }
  if (LONE_SURROGATE.test(value)) {
    return {
      code: "invalid_parameter",
      attribute,
      message: `${attribute} must be valid Unicode text: it holds an unpaired UTF-16 surrogate (U+D800 to U+DFFF).`,
    };
  }
  return undefined;
}

/** C0 control characters (NUL to U+001F) and DEL. */
function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A client's input quoted in a message, cut short so a message stays small whatever was sent. */
function excerpt(text: string): string {
  return text.length > QUOTED_INPUT_LIMIT ? `${text.slice(0, QUOTED_INPUT_LIMIT)}…` : text;
}

export function unknownPermission(value: unknown): ValidationProblem {
  const shown =
    typeof value === "string" ? `"${excerpt(value)}"` : excerpt(JSON.stringify(value) ?? "");
  const suggestion = typeof value === "string" ? suggestPermission(value) : undefined;
  const hint = suggestion ? ` Did you mean "${suggestion}"?` : "";
  return {
    code: "invalid_auth_token_permissions",
    attribute: "permissions",
    message: `${shown} is not a valid permission. Valid permissions are: ${VALID_PERMISSIONS_TEXT}.${hint}`,
  };
}

export function emptyPermissions(): ValidationProblem {
  return {
    code: "invalid_auth_token_permissions",
    attribute: "permissions",
    message: `permissions must list at least one of: ${VALID_PERMISSIONS_TEXT}.`,
  };
}

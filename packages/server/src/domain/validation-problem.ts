import { PERMISSIONS, suggestPermission } from "./permissions.js";

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

export function unknownParameter(
  attribute: string,
  accepted: readonly string[],
): ValidationProblem {
  return {
    code: "invalid_parameter",
    attribute,
    message: `${attribute} is not a recognised parameter; this request accepts ${accepted.join(", ")} (names are case-sensitive).`,
  };
}

export function unknownPermission(value: unknown): ValidationProblem {
  const shown = typeof value === "string" ? `"${value}"` : JSON.stringify(value);
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

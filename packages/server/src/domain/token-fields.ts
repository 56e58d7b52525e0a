import { PERMISSION_LIST_MAX_ITEMS, TOKEN_NAME_MAX_LENGTH } from "@tokenspace/contract";
import { ValidationError } from "../errors.js";
import { canonicalPermissions, isPermission, PERMISSIONS, type Permission } from "./permissions.js";
import {
  emptyPermissions,
  invalidParameter,
  listTooLong,
  missingParameter,
  unknownPermission,
  unstorableText,
  type ValidationProblem,
} from "./validation-problem.js";

/** What each token field accepts, in words; used in every message about that field. */
export const TOKEN_FIELD_EXPECTATIONS = {
  name: `a string of 1 to ${TOKEN_NAME_MAX_LENGTH} characters`,
  permissions: `a non-empty list of permissions from: ${PERMISSIONS.join(", ")}`,
  subproject_id: "the UUID of a subproject of this project",
} as const;

export interface TokenChanges {
  readonly name?: string;
  readonly permissions?: readonly string[];
}

interface ValidTokenChanges {
  readonly name?: string;
  readonly permissions?: Permission[];
}

/** Length in characters as a person counts them (code points), as JSON Schema does. */
function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

function nameProblems(name: string): ValidationProblem[] {
  const length = characterCount(name);
  if (length < 1 || length > TOKEN_NAME_MAX_LENGTH) {
    return [invalidParameter("name", TOKEN_FIELD_EXPECTATIONS.name)];
  }
  const unstorable = unstorableText("name", name);
  return unstorable ? [unstorable] : [];
}

function permissionProblems(permissions: readonly string[]): ValidationProblem[] {
  if (permissions.length === 0) return [emptyPermissions()];
  if (permissions.length > PERMISSION_LIST_MAX_ITEMS) {
    return [listTooLong("permissions", PERMISSION_LIST_MAX_ITEMS)];
  }
  return permissions.filter((value) => !isPermission(value)).map(unknownPermission);
}

/**
 * Checks the fields of a create (both required) or an update (both optional) and returns
 * them in canonical form. Every entry point (HTTP, CLI) goes through here.
 */
export function validateTokenChanges(
  changes: TokenChanges,
  mode: "create" | "update",
): ValidTokenChanges {
  const problems: ValidationProblem[] = [];
  if (changes.name === undefined) {
    if (mode === "create") problems.push(missingParameter("name", TOKEN_FIELD_EXPECTATIONS.name));
  } else {
    problems.push(...nameProblems(changes.name));
  }
  if (changes.permissions === undefined) {
    if (mode === "create") {
      problems.push(missingParameter("permissions", TOKEN_FIELD_EXPECTATIONS.permissions));
    }
  } else {
    problems.push(...permissionProblems(changes.permissions));
  }
  const [first, ...rest] = problems;
  if (first) throw new ValidationError([first, ...rest]);
  return {
    ...(changes.name !== undefined && { name: changes.name }),
    ...(changes.permissions !== undefined && {
      permissions: canonicalPermissions(changes.permissions.filter(isPermission)),
    }),
  };
}

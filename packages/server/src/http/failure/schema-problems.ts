import type { ErrorObject } from "ajv";
import { TOKEN_FIELD_EXPECTATIONS } from "../../domain/token-fields.js";
import {
  emptyPermissions,
  invalidParameter,
  missingParameter,
  unknownParameter,
  unknownPermission,
  type ValidationProblem,
} from "../../domain/validation-problem.js";

interface ObjectSchema {
  readonly properties?: Record<string, { readonly description?: string }>;
}

/**
 * Turns the body schema's verdict into problems a person can act on, one per field. Unknown
 * fields come first: a misspelt field (`Name` for `name`) is the cause of the "missing" one that
 * follows it, and the compatibility surface shows only the first problem.
 */
export function problemsFromSchemaErrors(
  errors: readonly ErrorObject[],
  body: unknown,
  schema: unknown,
): ValidationProblem[] {
  const properties = (schema as ObjectSchema | undefined)?.properties ?? {};
  const accepted = Object.keys(properties);
  const expectation = (field: string): string =>
    TOKEN_FIELD_EXPECTATIONS[field as keyof typeof TOKEN_FIELD_EXPECTATIONS] ??
    properties[field]?.description?.replace(/\.$/, "") ??
    "a valid value";

  const problems: ValidationProblem[] = [];
  const reported = new Set<string>();
  const add = (key: string, problem: ValidationProblem) => {
    if (reported.has(key)) return;
    reported.add(key);
    problems.push(problem);
  };

  for (const error of errors) {
    const [field = "", index] = error.instancePath.split("/").slice(1);
    if (field !== "" && index === undefined && field !== "permissions") {
      // About a field that is an object (rate_limit without its window, say): the field is wrong.
      add(field, invalidParameter(field, expectation(field)));
    } else if (error.keyword === "required" && "missingProperty" in error.params) {
      const missing = String(error.params.missingProperty);
      add(missing, missingParameter(missing, expectation(missing)));
    } else if (error.keyword === "additionalProperties" && "additionalProperty" in error.params) {
      const unknown = String(error.params.additionalProperty);
      add(`unknown:${unknown}`, unknownParameter(unknown, accepted));
    } else if (field === "permissions" && index !== undefined && error.keyword === "enum") {
      const value = (body as { permissions?: unknown[] }).permissions?.[Number(index)];
      add(`permissions/${index}`, unknownPermission(value));
    } else if (field === "permissions" && error.keyword === "minItems") {
      add(field, emptyPermissions());
    } else {
      add(field, invalidParameter(field, expectation(field)));
    }
  }
  const unknownFirst = (problem: ValidationProblem) =>
    reported.has(`unknown:${problem.attribute}`) ? 0 : 1;
  return problems.sort((a, b) => unknownFirst(a) - unknownFirst(b));
}

/** Something a strict SignalWire client must not send, found by comparing a request to its route. */
export interface WireViolation {
  readonly kind: "unknown_body_key" | "unknown_query_param" | "wrong_type";
  readonly name: string;
  /** For wrong_type: the type the contract names, and the one that was sent. */
  readonly expected?: string;
  readonly actual?: string;
}

interface ObjectSchema {
  readonly properties?: Readonly<Record<string, { readonly type?: string | readonly string[] }>>;
}

/** How a value was sent: text (query strings, forms) carries no types of its own. */
type Encoding = "json" | "text";

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** Whether a value can be what the schema names: from text, whether the text reads as it. */
function fits(value: unknown, expected: string, encoding: Encoding): boolean {
  if (encoding === "text") {
    if (Array.isArray(value)) return expected === "array";
    const text = String(value);
    switch (expected) {
      case "integer":
        return /^-?\d+$/.test(text);
      case "number":
        return text.trim() !== "" && Number.isFinite(Number(text));
      case "boolean":
        return text === "true" || text === "false";
      case "object":
        return false;
      default:
        // A single form value is a list of one where a list is expected.
        return true;
    }
  }
  const actual = typeOf(value);
  return actual === expected || (expected === "number" && actual === "integer");
}

function violationsOf(
  values: Readonly<Record<string, unknown>>,
  schema: ObjectSchema | undefined,
  unknownKind: "unknown_body_key" | "unknown_query_param",
  encoding: Encoding,
): WireViolation[] {
  // A route that declares no body or no query parameters takes none.
  const properties = schema?.properties ?? {};
  const found: WireViolation[] = [];
  for (const [name, value] of Object.entries(values)) {
    const property = properties[name];
    if (property === undefined) {
      found.push({ kind: unknownKind, name });
      continue;
    }
    const types = property.type === undefined ? [] : [property.type].flat();
    if (types.length > 0 && !types.some((type) => fits(value, type, encoding))) {
      found.push({
        kind: "wrong_type",
        name,
        expected: types.join(" | "),
        actual: encoding === "text" ? "string" : typeOf(value),
      });
    }
  }
  return found;
}

/**
 * What a request sent that its route's contract does not allow: keys and parameters the
 * contract does not name, and values of another type. Empty for a clean request, and for a
 * request outside the contract (`schema` undefined).
 */
export function wireViolations(
  schema: { readonly body?: unknown; readonly querystring?: unknown } | undefined,
  query: Readonly<Record<string, readonly string[]>>,
  body: unknown,
  bodyEncoding: Encoding,
): WireViolation[] {
  if (schema === undefined) return [];
  const singleValued = Object.fromEntries(
    Object.entries(query).map(([name, values]) => [name, values.length === 1 ? values[0] : values]),
  );
  return [
    ...violationsOf(
      singleValued,
      schema.querystring as ObjectSchema | undefined,
      "unknown_query_param",
      "text",
    ),
    ...(body !== null && typeof body === "object" && !Array.isArray(body)
      ? violationsOf(
          body as Record<string, unknown>,
          schema.body as ObjectSchema | undefined,
          "unknown_body_key",
          bodyEncoding,
        )
      : []),
  ];
}

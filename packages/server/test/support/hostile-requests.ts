import fc from "fast-check";

/** JSON text nested `depth` levels deep inside an otherwise valid create body. */
export const nestedBody = (depth: number) =>
  `{"name":"n","permissions":${"[".repeat(depth)}${"]".repeat(depth)}}`;

/** Where a hostile request goes: the write endpoints and the one text filter. */
export type HostileTarget =
  | "compat-create"
  | "compat-update"
  | "native-create"
  | "native-update"
  | "account-create"
  | "account-rename"
  | "account-filter";

export interface HostileRequest {
  readonly target: HostileTarget;
  /** A JSON value to send, or raw JSON text (deep nesting) to send as it is. */
  readonly body: { readonly json: unknown } | { readonly raw: string };
}

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("\u0000", "a\u0000b", "\ud800", "\udfff x", "\u001f", "🚀", "calling"),
);
const value = fc.oneof(
  text,
  fc.array(text, { maxLength: 70 }),
  fc.integer().map((n) => Array.from({ length: Math.abs(n) % 3000 }, () => "fax")),
  fc.jsonValue({ maxDepth: 3 }),
);

/**
 * Requests built to break things: NUL and other control characters, lone surrogates, huge and
 * deeply nested values, unknown fields, every write endpoint. The suite runs a bounded number;
 * `npm run fuzz` runs a hundred thousand and more.
 */
export const hostileRequest: fc.Arbitrary<HostileRequest> = fc.record({
  target: fc.constantFrom<HostileTarget>(
    "compat-create",
    "compat-update",
    "native-create",
    "native-update",
    "account-create",
    "account-rename",
    "account-filter",
  ),
  body: fc.oneof(
    fc
      .oneof(
        fc.record(
          { name: value, permissions: value, FriendlyName: value, subproject_id: value },
          { requiredKeys: [] },
        ),
        fc.dictionary(text, value, { maxKeys: 40 }),
        fc.jsonValue({ maxDepth: 4 }),
      )
      .map((json) => ({ json })),
    fc.integer({ min: 17, max: 5000 }).map((depth) => ({ raw: nestedBody(depth) })),
  ),
});

/** The method, path and fetch options of a hostile request, for a server's paths. */
export function describeRequest(
  request: HostileRequest,
  paths: {
    readonly compatTokens: string;
    readonly compatToken: string;
    readonly nativeToken: string;
    readonly accounts: string;
    readonly subproject: string;
  },
): { method: string; path: string; body?: string; contentType?: string } {
  const body = "raw" in request.body ? request.body.raw : JSON.stringify(request.body.json);
  const write = (method: string, path: string) => ({
    method,
    path,
    body,
    contentType: "application/json",
  });
  switch (request.target) {
    case "compat-create":
      return write("POST", paths.compatTokens);
    case "compat-update":
      return write("PATCH", paths.compatToken);
    case "native-create":
      return write("POST", "/api/project/tokens");
    case "native-update":
      return write("PATCH", paths.nativeToken);
    case "account-create":
      return write("POST", paths.accounts);
    case "account-rename":
      return write("POST", paths.subproject);
    case "account-filter":
      return {
        method: "GET",
        // Cut by code points: a surrogate pair cut in half cannot be put in a URL at all.
        path: `${paths.accounts}?FriendlyName=${encodeURIComponent(
          Array.from(body ?? "")
            .slice(0, 2000)
            .join(""),
        )}`,
      };
  }
}

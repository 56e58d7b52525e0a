import { type Static, type TSchema, Type } from "@sinclair/typebox";
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  PROJECT_NAME_MAX_LENGTH,
  TOKEN_NAME_MAX_LENGTH,
  TOKEN_SECRET_PATTERN,
} from "@tokenspace/contract";
import { PERMISSIONS, type Permission } from "../domain/permissions.js";
import { PROJECT_NAME_EXPECTATION } from "../domain/project-service.js";
import { TOKEN_FIELD_EXPECTATIONS } from "../domain/token-fields.js";
import { VALIDATION_CODES } from "../domain/validation-problem.js";

/**
 * The wire schemas, defined once: Fastify validates requests and serializes responses with
 * them, and the OpenAPI document served at /openapi.json is generated from them.
 */

const EXAMPLE_TOKEN_ID = "ea14556a-984f-11ee-b9d1-0242ac120002";
const EXAMPLE_SECRET = "PT037258e533e87ac63174ee136ed0798dc85d4f4f9e6d7191";

const Uuid = (description: string) =>
  Type.String({ format: "uuid", description, examples: [EXAMPLE_TOKEN_ID] });

const PermissionSchema = Type.Unsafe<Permission>({
  type: "string",
  enum: [...PERMISSIONS],
  description: "A permission an API token can hold.",
});

const TokenName = Type.String({
  minLength: 1,
  maxLength: TOKEN_NAME_MAX_LENGTH,
  description: `The name of the API token: ${TOKEN_FIELD_EXPECTATIONS.name}.`,
  examples: ["John Doe's Token"],
});

const PermissionList = (description: string, minItems = 0) =>
  Type.Array(PermissionSchema, {
    description,
    minItems,
    examples: [["calling", "fax", "messaging"]],
  });

const TokenSummarySchema = Type.Object(
  {
    id: Uuid("The unique identifier of the API token."),
    name: TokenName,
    permissions: PermissionList("The permissions enabled for this token, in canonical order."),
  },
  {
    additionalProperties: false,
    description: "An API token as lists show it: without its secret.",
  },
);

export const TokenSchema = Type.Object(
  {
    ...TokenSummarySchema.properties,
    token: Type.String({
      pattern: TOKEN_SECRET_PATTERN,
      description: "The API token, used with the project id for HTTP Basic authentication.",
      examples: [EXAMPLE_SECRET],
    }),
  },
  { additionalProperties: false, description: "An API token with its secret." },
);

export const CreateTokenBodySchema = Type.Object(
  {
    name: TokenName,
    permissions: PermissionList(
      `The permissions to enable for this token: ${TOKEN_FIELD_EXPECTATIONS.permissions}.`,
      1,
    ),
    subproject_id: Type.Optional(
      Uuid(
        "The subproject to create the token for; it must be a subproject of the project in the path.",
      ),
    ),
  },
  { additionalProperties: false },
);
export type CreateTokenBody = Static<typeof CreateTokenBodySchema>;

export const UpdateTokenBodySchema = Type.Object(
  {
    name: Type.Optional(TokenName),
    permissions: Type.Optional(
      PermissionList("The permissions to enable; when given, they replace the whole set.", 1),
    ),
  },
  { additionalProperties: false },
);
export type UpdateTokenBody = Static<typeof UpdateTokenBodySchema>;

export const AccountSidParams = Type.Object({
  AccountSid: Uuid("The project (account) the request acts on."),
});
export type AccountSidParams = Static<typeof AccountSidParams>;

/** A route with no path parameters. */
export const NoParams = Type.Object({});

export const TokenIdParams = Type.Object({
  token_id: Uuid("The unique identifier of the API token."),
});
export type TokenIdParams = Static<typeof TokenIdParams>;

const PageSize = Type.Integer({
  minimum: 1,
  maximum: MAX_PAGE_SIZE,
  default: DEFAULT_PAGE_SIZE,
  description: `a whole number of items per page, from 1 to ${MAX_PAGE_SIZE}`,
});

export const CompatPageQuery = Type.Object({
  Page: Type.Optional(Type.Integer({ minimum: 0, description: "a page number, from 0" })),
  PageSize: Type.Optional(PageSize),
  PageToken: Type.Optional(
    Type.String({ description: "the opaque PageToken from a previous list response" }),
  ),
});
export type CompatPageQuery = Static<typeof CompatPageQuery>;

const NullableUri = Type.Union([Type.String(), Type.Null()]);

export const CompatTokenListSchema = Type.Object(
  {
    uri: Type.String(),
    first_page_uri: Type.String(),
    next_page_uri: NullableUri,
    previous_page_uri: NullableUri,
    page: Type.Integer(),
    page_size: Type.Integer(),
    tokens: Type.Array(TokenSummarySchema),
  },
  { additionalProperties: false, description: "One page of a project's API tokens." },
);

export const CompatErrorSchema = Type.Object(
  {
    code: Type.Integer({ examples: [20003] }),
    message: Type.String({ examples: ["Authentication failed"] }),
    more_info: Type.String(),
    status: Type.Integer({ examples: [401] }),
  },
  { additionalProperties: false, description: "A Compatibility API error." },
);

export const CompatValidationErrorSchema = Type.Object(
  {
    type: Type.Literal("validation_error"),
    code: Type.String({ enum: [...VALIDATION_CODES] }),
    message: Type.String(),
    attribute: Type.String(),
    url: Type.String(),
  },
  {
    additionalProperties: false,
    description: "A token validation error: the first problem found.",
  },
);

export const HealthSchema = Type.Object({
  status: Type.String(),
  /** `mock` when the server runs as a test double (TOKENSPACE_MOCK), `standard` otherwise. */
  mode: Type.Optional(Type.Union([Type.Literal("standard"), Type.Literal("mock")])),
});

const accountUri = (suffix = "") =>
  `/api/laml/2010-04-01/Accounts/b3877c40-da60-4998-90ad-b792e98472af${suffix}`;
const Unsupported = Type.Null({ description: "Not supported." });
const SubresourceUri = (suffix: string) => Type.String({ examples: [accountUri(suffix)] });

const SubresourceUrisSchema = Type.Object(
  {
    addresses: Unsupported,
    available_phone_numbers: SubresourceUri("/AvailablePhoneNumbers"),
    applications: SubresourceUri("/Applications"),
    authorized_connect_apps: Unsupported,
    calls: SubresourceUri("/Calls"),
    conferences: SubresourceUri("/Conferences"),
    connect_apps: Unsupported,
    incoming_phone_numbers: SubresourceUri("/IncomingPhoneNumbers"),
    keys: Unsupported,
    notifications: Unsupported,
    outgoing_caller_ids: Unsupported,
    queues: SubresourceUri("/Queues"),
    recordings: SubresourceUri("/Recordings"),
    sandbox: Unsupported,
    sip: Unsupported,
    short_codes: Unsupported,
    messages: SubresourceUri("/Messages"),
    transcriptions: SubresourceUri("/Transcriptions"),
    usage: Unsupported,
  },
  { additionalProperties: false, description: "URIs of the resources linked to the project." },
);

export const AccountSchema = Type.Object(
  {
    sid: Uuid("The project id."),
    friendly_name: Type.String({ examples: ["My Project"] }),
    status: Type.Literal("active"),
    auth_token: Type.Literal("redacted", { description: "Always redacted." }),
    date_created: Type.String({
      description: "RFC 2822",
      examples: ["Sat, 15 Sep 2018 10:00:00 +0000"],
    }),
    date_updated: Type.String({
      description: "RFC 2822",
      examples: ["Sat, 15 Sep 2018 10:00:00 +0000"],
    }),
    type: Type.Literal("Full"),
    owner_account_sid: Uuid(
      "The parent project's id; the project's own id for a top-level project.",
    ),
    region_preference: Type.String({ examples: ["us-east"] }),
    uri: Type.String({ examples: [accountUri()] }),
    subproject: Type.Boolean(),
    signing_key: Type.Union([Type.String({ pattern: "^PSK_[0-9a-f]{48}$" }), Type.Null()], {
      description:
        "The project's signing key: returned once, when a subproject is created; null on every later read.",
    }),
    subresource_uris: SubresourceUrisSchema,
  },
  { additionalProperties: false, description: "A project (account) or subproject." },
);

export const AccountNameBodySchema = Type.Object(
  {
    FriendlyName: Type.String({
      minLength: 1,
      maxLength: PROJECT_NAME_MAX_LENGTH,
      description: PROJECT_NAME_EXPECTATION,
      examples: ["My Project"],
    }),
  },
  { additionalProperties: false },
);
export type AccountNameBody = Static<typeof AccountNameBodySchema>;

export const AccountParams = Type.Object({ Sid: Uuid("The project (account) id.") });
export type AccountParams = Static<typeof AccountParams>;

export const CompatAccountListQuery = Type.Object({
  ...CompatPageQuery.properties,
  FriendlyName: Type.Optional(Type.String({ description: "only accounts with exactly this name" })),
});
export type CompatAccountListQuery = Static<typeof CompatAccountListQuery>;

export const CompatAccountListSchema = Type.Object(
  {
    ...Type.Omit(CompatTokenListSchema, ["tokens"]).properties,
    accounts: Type.Array(AccountSchema),
  },
  { additionalProperties: false, description: "One page of the project and its subprojects." },
);

export const NativePageQuery = Type.Object({
  page_size: Type.Optional(PageSize),
  page_token: Type.Optional(
    Type.String({ description: "the opaque page_token from a previous list response's links" }),
  ),
});
export type NativePageQuery = Static<typeof NativePageQuery>;

export const NativeTokenListSchema = Type.Object(
  {
    links: Type.Object(
      {
        self: Type.String(),
        first: Type.String(),
        next: NullableUri,
        prev: NullableUri,
      },
      { additionalProperties: false },
    ),
    data: Type.Array(TokenSummarySchema),
  },
  { additionalProperties: false, description: "One page of the project's API tokens." },
);

export const NativeErrorSchema = Type.Object(
  { error: Type.String({ examples: ["Unauthorized"] }) },
  { additionalProperties: false },
);

export const NativeValidationErrorSchema = Type.Object(
  {
    errors: Type.Array(
      Type.Object(
        {
          type: Type.Literal("validation_error"),
          code: CompatValidationErrorSchema.properties.code,
          message: Type.String(),
          attribute: Type.Union([Type.String(), Type.Null()]),
          url: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: "Every problem found, one item each." },
);

/** Every route needs HTTP Basic credentials (the scheme is declared in app.ts). */
export const BASIC_AUTH = [{ basicAuth: [] }];

/** The failures every API route can answer, in one surface's shapes. */
export function errorResponses(error: TSchema, validationError: TSchema) {
  return { 400: error, 401: error, 404: error, 413: error, 415: error, 422: validationError };
}

import { type Static, Type } from "@sinclair/typebox";
import { PERMISSIONS, type Permission } from "../domain/permissions.js";
import { TOKEN_FIELD_EXPECTATIONS, TOKEN_NAME_MAX_LENGTH } from "../domain/token-fields.js";

/**
 * The wire schemas, defined once: Fastify validates requests and serializes responses with
 * them, and the OpenAPI document served at /openapi.json is generated from them.
 */

const EXAMPLE_TOKEN_ID = "ea14556a-984f-11ee-b9d1-0242ac120002";
const EXAMPLE_SECRET = "PT037258e533e87ac63174ee136ed0798dc85d4f4f9e6d7191";

export const Uuid = (description: string) =>
  Type.String({ format: "uuid", description, examples: [EXAMPLE_TOKEN_ID] });

export const PermissionSchema = Type.Unsafe<Permission>({
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

export const TokenSummarySchema = Type.Object(
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
      pattern: "^PT[0-9a-f]{48}$",
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

export const TokenParams = Type.Object({
  AccountSid: Uuid("The project (account) the request acts on."),
  token_id: Uuid("The unique identifier of the API token."),
});
export type TokenParams = Static<typeof TokenParams>;

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 50;

export const CompatPageQuery = Type.Object({
  Page: Type.Optional(Type.Integer({ minimum: 0, description: "a page number, from 0" })),
  PageSize: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      default: DEFAULT_PAGE_SIZE,
      description: `a whole number of items per page, from 1 to ${MAX_PAGE_SIZE}`,
    }),
  ),
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
    code: Type.String({
      enum: [
        "missing_required_parameter",
        "invalid_parameter",
        "invalid_auth_token_permissions",
        "invalid_subproject_id",
      ],
    }),
    message: Type.String(),
    attribute: Type.String(),
    url: Type.String(),
  },
  {
    additionalProperties: false,
    description: "A token validation error: the first problem found.",
  },
);

export const HealthSchema = Type.Object({ status: Type.String() });

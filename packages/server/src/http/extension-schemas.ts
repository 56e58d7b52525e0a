import { type Static, Type } from "@sinclair/typebox";
import {
  AUDIT_ACTIONS,
  EXPIRY_MAX_YEARS,
  TOKEN_NAME_MAX_LENGTH,
  USAGE_GRANULARITIES,
  USAGE_MAX_BUCKETS,
} from "@tokenspace/contract";
import { withDigitGroups } from "../domain/digit-groups.js";
import { DURATION_FORMAT } from "../domain/duration.js";
import { EXAMINED_ROWS_PER_PAGE, LIST_ORDERS } from "../domain/keyset-page.js";
import { TOKEN_FIELD_EXPECTATIONS } from "../domain/token-fields.js";
import { LIMIT_FIELD_EXPECTATIONS } from "../domain/token-limits.js";
import {
  CreateTokenBodySchema,
  NativePageQuery,
  NativeTokenListSchema,
  TokenSchema,
  UpdateTokenBodySchema,
} from "./schemas.js";

/**
 * The wire schemas of Tokenspace's extension surface (`/api/tokenspace`): a token's lifecycle
 * and the audit log, which SignalWire's own shapes cannot carry.
 */

/** What a client must know to walk a filtered list, said in each such list's description. */
const FILTERED_PAGES = `With a filter, one request looks at ${withDigitGroups(EXAMINED_ROWS_PER_PAGE)} entries of the list at most, so a page may hold fewer than page_size items, or none, and still have a next link: follow links.next until it is null.`;

const Timestamp = (description: string) =>
  Type.String({ format: "date-time", description, examples: ["2027-01-31T12:00:00.000Z"] });
const NullableTimestamp = (description: string) =>
  Type.Union([Timestamp(description), Type.Null()], { description });

const ExpiresAtInput = Type.Optional(
  Type.Union([Type.String({ maxLength: 64 }), Type.Null()], {
    description: `When the token stops authenticating: ${TOKEN_FIELD_EXPECTATIONS.expires_at}. Null removes the expiry (at most ${EXPIRY_MAX_YEARS} years ahead).`,
  }),
);

const Duration = Type.Union([Type.String({ maxLength: 16 }), Type.Integer()]);

/** The limit fields as create and update take them; ranges are checked with the other rules. */
const LimitInputs = {
  rate_limit: Type.Optional(
    Type.Union(
      [
        Type.Object({ limit: Type.Integer(), window: Duration }, { additionalProperties: false }),
        Type.Null(),
      ],
      { description: `${LIMIT_FIELD_EXPECTATIONS.rate_limit}.` },
    ),
  ),
  uses_remaining: Type.Optional(
    Type.Union([Type.Integer(), Type.Null()], {
      description: `${LIMIT_FIELD_EXPECTATIONS.uses_remaining}.`,
    }),
  ),
  uses_refill: Type.Optional(
    Type.Union(
      [
        Type.Object({ amount: Type.Integer(), every: Duration }, { additionalProperties: false }),
        Type.Null(),
      ],
      {
        description: `${LIMIT_FIELD_EXPECTATIONS.uses_refill}. Given alone to a token with unlimited uses, it starts them at amount.`,
      },
    ),
  ),
};

const NullableText = (description: string) =>
  Type.Union([Type.String(), Type.Null()], { description });

export const ManagedTokenSchema = Type.Object(
  {
    id: TokenSchema.properties.id,
    project_id: Type.String({ format: "uuid", description: "The project that owns the token." }),
    name: TokenSchema.properties.name,
    permissions: TokenSchema.properties.permissions,
    enabled: Type.Boolean({ description: "A disabled token is refused like a deleted one." }),
    expires_at: NullableTimestamp("When the token stops authenticating; null: never."),
    last_used_at: NullableTimestamp(
      "The last successful authentication (recorded at most a second late); null: never used.",
    ),
    created_at: Timestamp("When the token was created."),
    updated_at: Timestamp("When the token was last changed."),
    previous_token_expires_at: NullableTimestamp(
      "After a reroll with an overlap: until when the previous secret still works.",
    ),
    last_used_ip: NullableText(
      "The client address of the last successful authentication (null after an introspection).",
    ),
    rate_limit: Type.Union(
      [
        Type.Object(
          {
            limit: Type.Integer({ minimum: 1 }),
            window: Type.String({ examples: ["1m"] }),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: "Allowed verifications per fixed window; null: no rate limit." },
    ),
    uses_remaining: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: "Verifications left, each allowed one spends one; null: unlimited.",
    }),
    uses_refill: Type.Union(
      [
        Type.Object(
          { amount: Type.Integer({ minimum: 1 }), every: Type.String({ examples: ["30d"] }) },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: "Every `every`, uses_remaining is set back to amount; null: never." },
    ),
  },
  { additionalProperties: false, description: "An API token with its lifecycle." },
);

export const IssuedManagedTokenSchema = Type.Object(
  { ...ManagedTokenSchema.properties, token: TokenSchema.properties.token },
  {
    additionalProperties: false,
    description: "An API token with its lifecycle and its new secret, shown this once.",
  },
);

export const CreateManagedTokenBodySchema = Type.Object(
  {
    ...CreateTokenBodySchema.properties,
    expires_at: ExpiresAtInput,
    enabled: Type.Optional(Type.Boolean({ description: "Create it disabled with false." })),
    ...LimitInputs,
  },
  { additionalProperties: false },
);
export type CreateManagedTokenBody = Static<typeof CreateManagedTokenBodySchema>;

export const UpdateManagedTokenBodySchema = Type.Object(
  {
    ...UpdateTokenBodySchema.properties,
    expires_at: ExpiresAtInput,
    enabled: Type.Optional(
      Type.Boolean({ description: "false disables the token, true enables it again." }),
    ),
    ...LimitInputs,
  },
  { additionalProperties: false },
);
export type UpdateManagedTokenBody = Static<typeof UpdateManagedTokenBodySchema>;

export const RerollBodySchema = Type.Object(
  {
    overlap: Type.Optional(
      Type.Union([Type.Integer(), Type.String({ maxLength: 16 })], {
        description: `How long the previous secret keeps working: ${TOKEN_FIELD_EXPECTATIONS.overlap}. 0 (the default) stops it at once.`,
      }),
    ),
  },
  { additionalProperties: false },
);
export type RerollBody = Static<typeof RerollBodySchema>;

const ProjectFilter = Type.Optional(
  Type.String({
    maxLength: 64,
    description: "Only this project of the family: yours or one of its subprojects.",
  }),
);

export const ManagedTokenListQuery = Type.Object({
  ...NativePageQuery.properties,
  name: Type.Optional(
    Type.String({
      maxLength: TOKEN_NAME_MAX_LENGTH,
      description: "Only tokens whose name contains this text, ignoring case.",
    }),
  ),
  project_id: ProjectFilter,
  expiring_within: Type.Optional(
    Type.String({
      maxLength: 16,
      description: `Only tokens that expire between now and this far ahead: ${DURATION_FORMAT}.`,
    }),
  ),
});
export type ManagedTokenListQuery = Static<typeof ManagedTokenListQuery>;

export const ManagedTokenListSchema = Type.Object(
  {
    links: NativeTokenListSchema.properties.links,
    data: Type.Array(ManagedTokenSchema),
  },
  {
    additionalProperties: false,
    description: `One page of the tokens of the project and its subprojects. ${FILTERED_PAGES}`,
  },
);

const AuditActionSchema = Type.Unsafe<(typeof AUDIT_ACTIONS)[number]>({
  type: "string",
  enum: [...AUDIT_ACTIONS],
});

const NullableString = (description: string) =>
  Type.Union([Type.String(), Type.Null()], { description });

const AuditEntrySchema = Type.Object(
  {
    id: Type.Integer({ description: "Increasing with time within one store." }),
    action: AuditActionSchema,
    project_id: NullableString("The project the target belongs to; null for the whole service."),
    target: Type.Object(
      {
        type: Type.Union([Type.Literal("token"), Type.Literal("project"), Type.Literal("server")]),
        id: NullableString("The token's or project's id."),
      },
      { additionalProperties: false },
    ),
    actor: Type.Object(
      {
        project_id: NullableString("The acting token's project; null for the operator's CLI."),
        token_id: NullableString("The acting token; null for the operator's CLI."),
      },
      { additionalProperties: false },
    ),
    request_id: NullableString("The X-Request-Id of the request that made the change."),
    client_address: NullableString("The address the request came from."),
    details: Type.Record(Type.String(), Type.Unknown(), {
      description: "What changed, such as the fields an update named.",
    }),
    occurred_at: Timestamp("When the change was made."),
  },
  { additionalProperties: false, description: "One recorded change; nothing secret." },
);

export const AuditListQuery = Type.Object({
  ...NativePageQuery.properties,
  project_id: ProjectFilter,
  order: Type.Optional(
    Type.String({
      maxLength: 16,
      description: `${LIST_ORDERS.join(" (the default) or ")}.`,
    }),
  ),
  target: Type.Optional(Type.String({ maxLength: 64, description: "A token or project id." })),
  action: Type.Optional(
    Type.String({ maxLength: 64, description: `One of: ${AUDIT_ACTIONS.join(", ")}.` }),
  ),
  since: Type.Optional(
    Type.String({
      maxLength: 64,
      description: `Entries at or after this RFC 3339 time, or this long ago: ${DURATION_FORMAT}.`,
    }),
  ),
  until: Type.Optional(
    Type.String({ maxLength: 64, description: "Entries before this time (as since)." }),
  ),
});
export type AuditListQuery = Static<typeof AuditListQuery>;

export const AuditListSchema = Type.Object(
  {
    links: NativeTokenListSchema.properties.links,
    data: Type.Array(AuditEntrySchema),
  },
  {
    additionalProperties: false,
    description: `One page of the audit log, oldest first. ${FILTERED_PAGES}`,
  },
);

export const UsageQuery = Type.Object({
  since: Type.Optional(
    Type.String({
      maxLength: 64,
      description: `From this RFC 3339 time, or this long ago (${DURATION_FORMAT}), rounded down to a bucket; 7d by default.`,
    }),
  ),
  granularity: Type.Optional(
    Type.String({
      maxLength: 16,
      description: `${USAGE_GRANULARITIES.join(", ")} (UTC buckets); hour by default. At most ${withDigitGroups(USAGE_MAX_BUCKETS)} buckets.`,
    }),
  ),
});
export type UsageQuery = Static<typeof UsageQuery>;

export const ProjectUsageQuery = Type.Object({
  ...UsageQuery.properties,
  project_id: ProjectFilter,
});
export type ProjectUsageQuery = Static<typeof ProjectUsageQuery>;

const Count = (description: string) => Type.Integer({ minimum: 0, description });

export const UsageSchema = Type.Object(
  {
    since: Timestamp("The first bucket's start."),
    granularity: Type.Unsafe<(typeof USAGE_GRANULARITIES)[number]>({
      type: "string",
      enum: [...USAGE_GRANULARITIES],
    }),
    allowed: Count("Allowed verifications in the period."),
    refused: Count(
      "Refused verifications of this token (or these tokens) in the period: disabled, expired, forbidden, rate limited, out of uses.",
    ),
    buckets: Type.Array(
      Type.Object(
        {
          start: Timestamp("The bucket's start (UTC)."),
          allowed: Count("Allowed verifications."),
          refused: Count("Refused verifications."),
        },
        { additionalProperties: false },
      ),
      { description: "Every bucket from since to now, oldest first, empty ones included." },
    ),
  },
  {
    additionalProperties: false,
    description:
      "Verifications through /auth/verify, /auth/envoy and /auth/introspect, counted in memory and written every second: visible within a few seconds, kept as long as the audit log.",
  },
);

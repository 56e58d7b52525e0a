export { CompatAccounts } from "./compat-accounts.js";
export { CompatTokens } from "./compat-tokens.js";
export {
  AUDIT_ACTIONS,
  PERMISSION_DESCRIPTIONS,
  PERMISSIONS,
  type Permission,
  REFUSAL_REASONS,
  type RefusalReason,
  type Usage,
  type UsageBucket,
  type UsageGranularity,
} from "./contract.js";
export { PagedList } from "./paged-list.js";
export { type ListableResource, paginate, paginateAll } from "./paginate.js";
export { ProjectTokens } from "./project-tokens.js";
export { RestClient, type RestClientOptions } from "./rest-client.js";
export { ConnectionError, RestError, RestError as SignalWireRestError } from "./rest-error.js";
export {
  type AuditListParams,
  AuditLog,
  type Introspection,
  type ManagedTokenListParams,
  ManagedTokens,
  type ProjectUsageParams,
  TokenspaceResource,
  type UsageParams,
} from "./tokenspace-resource.js";
export {
  type GuardOptions,
  type TokenspaceLimits,
  type TokenspacePrincipal,
  TokenspaceVerifier,
  tokenspaceFastifyHook,
  tokenspaceMiddleware,
  type VerifierOptions,
  type VerifyOutcome,
  type VerifyRequest,
} from "./tokenspace-verifier.js";
export type { RetryPolicy } from "./transport.js";
export type * from "./types.js";
export {
  type TokenspaceWebhookEvent,
  verifyWebhook,
  WebhookVerificationError,
  type WebhookVerifyOptions,
} from "./webhook-verifier.js";

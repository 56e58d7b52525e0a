export { CompatAccounts } from "./compat-accounts.js";
export { CompatTokens } from "./compat-tokens.js";
export { PERMISSIONS, type Permission } from "./contract.js";
export { PagedList } from "./paged-list.js";
export { ProjectTokens } from "./project-tokens.js";
export { RestClient, type RestClientOptions } from "./rest-client.js";
export { ConnectionError, RestError } from "./rest-error.js";
export type { RetryPolicy } from "./transport.js";
export type * from "./types.js";

/** The permission list, as `@tokenspace/sdk/permissions`: defined once, in the contract. */
export { PERMISSIONS, type Permission } from "./contract.js";

/** Where each API surface lives. */
export const COMPAT_PREFIX = "/api/laml/2010-04-01";
export const NATIVE_PREFIX = "/api/project";

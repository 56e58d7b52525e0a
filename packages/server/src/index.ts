export { PERMISSIONS, type Permission } from "./domain/permissions.js";
export { type ConfigOverrides, loadConfig, type ServerConfig } from "./runtime/config.js";
export { type RunningServer, type ServerOptions, startServer } from "./runtime/server.js";
export { openTokenspace, type Tokenspace } from "./runtime/tokenspace.js";

export { type ConfigOverrides, loadConfig, type ServerConfig } from "./config.js";
export { PERMISSIONS, type Permission } from "./domain/permissions.js";
export { type RunningServer, type ServerOptions, startServer } from "./server.js";
export { openTokenspace, type Tokenspace } from "./tokenspace.js";

import type { ServerConfig } from "./config.js";
import { ConfigError } from "./config.js";
import { PERMISSIONS } from "./domain/permissions.js";
import type { IssuedToken } from "./domain/token-service.js";
import type { ProjectRecord } from "./store/store.js";
import type { Tokenspace } from "./tokenspace.js";

export const BOOTSTRAP_PROJECT_NAME = "Default Project";
export const BOOTSTRAP_TOKEN_NAME = "bootstrap";

export interface BootstrapOutcome {
  readonly project: ProjectRecord;
  /** Present only when this start generated the token: the one time it is shown. */
  readonly generatedToken: IssuedToken | undefined;
}

/**
 * Makes sure a fresh store can be used at all. With TOKENSPACE_BOOTSTRAP_* set, that project and
 * token exist afterwards (created if missing, left as they are otherwise). Without, an empty
 * store gets a "Default Project" and a token with every permission.
 */
export async function bootstrap(
  tokenspace: Tokenspace,
  preset: ServerConfig["bootstrap"],
): Promise<BootstrapOutcome | undefined> {
  const { projects, tokens, store } = tokenspace;
  if (preset) {
    const project =
      (await projects.find(preset.projectId)) ??
      (await projects.create(BOOTSTRAP_PROJECT_NAME, preset.projectId));
    const existing = await tokens.findBySecret(preset.token);
    if (existing && existing.projectId !== project.id) {
      throw new ConfigError(
        "TOKENSPACE_BOOTSTRAP_TOKEN already belongs to a different project than TOKENSPACE_BOOTSTRAP_PROJECT_ID.",
      );
    }
    if (!existing) {
      await tokens.create(
        project.id,
        { name: BOOTSTRAP_TOKEN_NAME, permissions: PERMISSIONS },
        preset.token,
      );
    }
    return { project, generatedToken: undefined };
  }
  if ((await store.countProjects()) > 0) return undefined;
  const project = await projects.create(BOOTSTRAP_PROJECT_NAME);
  const generatedToken = await tokens.create(project.id, {
    name: BOOTSTRAP_TOKEN_NAME,
    permissions: PERMISSIONS,
  });
  return { project, generatedToken };
}

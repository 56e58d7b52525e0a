import { ConfigError, StoreConflictError } from "../domain/errors.js";
import { newId } from "../domain/identifiers.js";
import { PERMISSIONS } from "../domain/permissions.js";
import type { CreatedProject } from "../domain/project-service.js";
import type { ProjectRecord } from "../domain/store.js";
import type { IssuedToken } from "../domain/token-service.js";
import type { ServerConfig } from "./config.js";
import type { Tokenspace } from "./tokenspace.js";

const BOOTSTRAP_PROJECT_NAME = "Default Project";
const BOOTSTRAP_TOKEN_NAME = "bootstrap";
/** The id of the first project, claimed once per store by whichever node starts first. */
const FIRST_PROJECT_SETTING = "bootstrap_project_id";

export interface BootstrapOutcome {
  readonly project: ProjectRecord;
  /** Present only when this start generated the token: the one time it is shown. */
  readonly generatedToken: IssuedToken | undefined;
}

/**
 * Makes sure a fresh store can be used at all. With TOKENSPACE_BOOTSTRAP_* set, that project and
 * token exist afterwards (created if missing, left as they are otherwise). Without, an empty
 * store gets a "Default Project" and a token with every permission. Safe when several nodes
 * start together on one store: each thing is created once, and one node prints the token.
 */
export async function bootstrap(
  tokenspace: Tokenspace,
  preset: ServerConfig["bootstrap"],
): Promise<BootstrapOutcome | undefined> {
  if (preset) return bootstrapPreset(tokenspace, preset);
  const { store, tokens } = tokenspace;
  const claimed = await store.readSetting(FIRST_PROJECT_SETTING);
  if (claimed === undefined && (await store.countProjects()) > 0) return undefined;
  const projectId = claimed ?? (await store.initSetting(FIRST_PROJECT_SETTING, newId()));
  const created = (await createProjectOnce(tokenspace, projectId))?.project;
  if (!created) return undefined;
  const generatedToken = await tokens.create(created.id, {
    name: BOOTSTRAP_TOKEN_NAME,
    permissions: PERMISSIONS,
  });
  return { project: created, generatedToken };
}

async function bootstrapPreset(
  tokenspace: Tokenspace,
  preset: NonNullable<ServerConfig["bootstrap"]>,
): Promise<BootstrapOutcome> {
  const { projects, tokens } = tokenspace;
  await createProjectOnce(tokenspace, preset.projectId);
  const project = await projects.find(preset.projectId);
  if (!project) throw new Error(`bootstrap project ${preset.projectId} vanished`);
  const existing = await tokens.findBySecret(preset.token);
  if (existing && existing.projectId !== project.id) {
    throw new ConfigError(
      "TOKENSPACE_BOOTSTRAP_TOKEN already belongs to a different project than TOKENSPACE_BOOTSTRAP_PROJECT_ID.",
    );
  }
  if (!existing) {
    await ignoringConflict(() =>
      tokens.create(
        project.id,
        { name: BOOTSTRAP_TOKEN_NAME, permissions: PERMISSIONS },
        { secret: preset.token },
      ),
    );
  }
  return { project, generatedToken: undefined };
}

/** Creates the project unless it exists; returns it only if this call created it. */
async function createProjectOnce(
  { projects }: Tokenspace,
  id: string,
): Promise<CreatedProject | undefined> {
  if (await projects.find(id)) return undefined;
  return ignoringConflict(() => projects.create(BOOTSTRAP_PROJECT_NAME, id));
}

async function ignoringConflict<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StoreConflictError) return undefined;
    throw error;
  }
}

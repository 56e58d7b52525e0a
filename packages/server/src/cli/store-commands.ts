import { NotFoundError, UsageError } from "../domain/errors.js";
import { loadConfig } from "../runtime/config.js";
import type { Tokenspace } from "../runtime/tokenspace.js";
import { type Flags, permissionList, print, projectOf } from "./cli-flags.js";

/**
 * Runs `work` on the store DATABASE_URL names, directly (no server needed). The store and its
 * drivers load here, on first use, so that a command which needs none (help, the remote
 * commands) starts in a third of the time.
 */
export async function withStore<T>(flags: Flags, work: (tokenspace: Tokenspace) => Promise<T>) {
  const { openTokenspace } = await import("../runtime/tokenspace.js");
  const tokenspace = await openTokenspace(
    loadConfig(process.env, { databaseUrl: flags["database-url"] }),
  );
  try {
    return await work(tokenspace);
  } finally {
    await tokenspace.close();
  }
}

export async function createProject(flags: Flags, name: string): Promise<void> {
  if (name === "") throw new UsageError("Give the project a name: tokenspace projects create NAME");
  const { project, signingKey } = await withStore(flags, (tokenspace) =>
    tokenspace.projects.create(name),
  );
  print(
    flags,
    { id: project.id, friendly_name: project.friendlyName, signing_key: signingKey },
    `Created project ${project.id} (${project.friendlyName})\nSigning key (shown this once): ${signingKey}`,
  );
}

export async function createSubproject(flags: Flags, name: string): Promise<void> {
  const { parent } = flags;
  if (!parent || name === "") {
    throw new UsageError(
      "Name the parent and the subproject: tokenspace subprojects create --parent ID NAME",
    );
  }
  const { project: subproject, signingKey } = await withStore(flags, (tokenspace) =>
    tokenspace.projects.createSubproject(parent, name),
  );
  print(
    flags,
    {
      id: subproject.id,
      friendly_name: subproject.friendlyName,
      parent_id: subproject.parentId,
      signing_key: signingKey,
    },
    `Created subproject ${subproject.id} (${subproject.friendlyName}) of ${subproject.parentId}\nSigning key (shown this once): ${signingKey}`,
  );
}

export async function listProjects(flags: Flags): Promise<void> {
  const projects = await withStore(flags, (tokenspace) => tokenspace.projects.list());
  const rows = projects.map((project) => ({
    id: project.id,
    friendly_name: project.friendlyName,
    parent_id: project.parentId,
  }));
  const describe = (row: (typeof rows)[number]) =>
    `${row.id}  ${row.friendly_name}${row.parent_id ? `  (subproject of ${row.parent_id})` : ""}`;
  print(flags, rows, rows.map(describe).join("\n"));
}

export async function createTokenInStore(flags: Flags): Promise<void> {
  const { name, permissions } = flags;
  const project = projectOf(flags);
  if (!project || name === undefined || permissions === undefined) {
    throw new UsageError("tokens create needs --project ID --name NAME --permissions a,b,...");
  }
  const token = await withStore(flags, async (tokenspace) => {
    const owner = await tokenspace.projects.find(project);
    if (!owner) throw new NotFoundError(`No project ${project} exists in this store.`);
    return tokenspace.tokens.create(owner.id, { name, permissions: permissionList(permissions) });
  });
  printIssuedToken(flags, token);
}

export function printIssuedToken(
  flags: Flags,
  token: { id: string; name: string; permissions: readonly string[]; token: string },
): void {
  print(
    flags,
    token,
    [
      `Token ${token.id} (${token.name}): ${token.permissions.join(", ")}`,
      `API token: ${token.token}`,
    ].join("\n"),
  );
}

const FAILED_DELIVERIES_SHOWN = 1000;

/** `tokenspace webhooks failed`: deliveries given up on after the whole retry schedule. */
export async function listFailedWebhooks(flags: Flags): Promise<void> {
  const failed = await withStore(flags, (tokenspace) =>
    tokenspace.store.listFailedDeliveries(FAILED_DELIVERIES_SHOWN),
  );
  const rows = failed.map((delivery) => ({
    id: delivery.id,
    type: delivery.type,
    project_id: delivery.projectId,
    created_at: delivery.createdAt.toISOString(),
    failed_at: delivery.failedAt?.toISOString() ?? null,
    attempts: delivery.attempts,
    last_error: delivery.lastError,
    payload: JSON.parse(delivery.payload) as unknown,
  }));
  const describe = (row: (typeof rows)[number]) =>
    `${row.failed_at}  ${row.id}  ${row.type}  after ${row.attempts} attempts: ${row.last_error}`;
  print(flags, rows, rows.length === 0 ? "No failed deliveries." : rows.map(describe).join("\n"));
}

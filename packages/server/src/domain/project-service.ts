import { PROJECT_NAME_MAX_LENGTH } from "@tokenspace/contract";
import { type Actor, OPERATOR } from "./actor.js";
import { auditEntry } from "./audit-log.js";
import type { Clock } from "./clock.js";
import { NotFoundError, ValidationError } from "./errors.js";
import { newId, normalizeId } from "./identifiers.js";
import type { Keyring } from "./keyring.js";
import { type Page, type PageQuery, readPage } from "./keyset-page.js";
import type { MaybeAsync } from "./maybe-async.js";
import { newProjectRecord } from "./new-records.js";
import type { Principal } from "./principal.js";
import type { ProjectRecord, Store } from "./store.js";
import { unstorableText } from "./validation-problem.js";

export const PROJECT_NAME_EXPECTATION = `a name of 1 to ${PROJECT_NAME_MAX_LENGTH} characters`;

/** A project just created, with its signing key: the one time the key is shown. */
export interface CreatedProject {
  readonly project: ProjectRecord;
  readonly signingKey: string;
}

/**
 * Projects own tokens, and a token authenticates as the project it belongs to. A top-level
 * project can have subprojects; a subproject cannot. A principal reaches its own project and,
 * from a top-level project, that project's subprojects: nothing above or beside it.
 */
export class ProjectService {
  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
  ) {}

  /** A top-level project: created by the operator, never over HTTP. */
  async create(friendlyName: string, id: string = newId()): Promise<CreatedProject> {
    return this.#insert(friendlyName, null, normalizeId(id), OPERATOR);
  }

  async createSubproject(
    parentId: string,
    friendlyName: string,
    actor: Actor = OPERATOR,
  ): Promise<CreatedProject> {
    const parent = await this.store.findProject(normalizeId(parentId));
    if (!parent) throw new NotFoundError(`No project ${parentId} exists.`);
    if (parent.parentId !== null) {
      throw new ValidationError([
        {
          code: "invalid_parameter",
          attribute: "FriendlyName",
          message: `Project ${parent.id} is itself a subproject, and subprojects cannot have subprojects. Create it under the top-level project ${parent.parentId} instead.`,
        },
      ]);
    }
    return this.#insert(friendlyName, parent.id, newId(), actor);
  }

  async list(): Promise<ProjectRecord[]> {
    return this.store.listProjects();
  }

  async find(id: string): Promise<ProjectRecord | undefined> {
    return this.store.findProject(normalizeId(id));
  }

  /**
   * The project a request acts on, named by the account sid in its path: the caller's own
   * project or one of its subprojects. Any other id is reported as not found, so the existence
   * of projects outside the caller's tree is never revealed. The caller's own project is
   * known at once, without a promise.
   */
  scopeFor(principal: Principal, accountSid: string): MaybeAsync<string> {
    const requested = normalizeId(accountSid);
    return requested === principal.projectId
      ? requested
      : this.#subprojectScope(principal, requested, accountSid);
  }

  async #subprojectScope(
    principal: Principal,
    requested: string,
    accountSid: string,
  ): Promise<string> {
    const project = await this.store.findProject(requested);
    if (project?.parentId !== principal.projectId) throw accountNotFound(accountSid);
    return project.id;
  }

  /** An account the caller may reach (see `scopeFor`). */
  async get(principal: Principal, accountSid: string): Promise<ProjectRecord> {
    const project = await this.store.findProject(await this.scopeFor(principal, accountSid));
    if (!project) throw accountNotFound(accountSid);
    return project;
  }

  /** The caller's project and its subprojects, a page at a time. */
  async listFamily(
    principal: Principal,
    page: PageQuery,
    friendlyName?: string,
  ): Promise<Page<ProjectRecord>> {
    if (friendlyName !== undefined) checkText(friendlyName);
    return readPage(
      (window) => this.store.listProjectFamily(principal.projectId, window, friendlyName),
      page,
    );
  }

  async rename(
    principal: Principal,
    accountSid: string,
    friendlyName: string,
    actor: Actor = OPERATOR,
  ): Promise<ProjectRecord> {
    const projectId = await this.scopeFor(principal, accountSid);
    checkProjectName(friendlyName);
    const now = this.clock.now();
    const action = projectId === principal.projectId ? "project.renamed" : "subproject.renamed";
    const renamed = await this.store.updateProject(
      projectId,
      { friendlyName, updatedAt: now },
      auditEntry(action, { type: "project", id: projectId, projectId }, actor, now, {
        fields: ["FriendlyName"],
      }),
    );
    if (!renamed) throw accountNotFound(accountSid);
    return renamed;
  }

  async #insert(
    friendlyName: string,
    parentId: string | null,
    id: string,
    actor: Actor,
  ): Promise<CreatedProject> {
    checkProjectName(friendlyName);
    const now = this.clock.now();
    const { record, signingKey } = newProjectRecord(
      this.keyring,
      { id, parentId, friendlyName },
      now,
    );
    const project = await this.store.insertProject(
      record,
      auditEntry(
        parentId === null ? "project.created" : "subproject.created",
        { type: "project", id, projectId: id },
        actor,
        now,
      ),
    );
    return { project, signingKey };
  }
}

function accountNotFound(accountSid: string): NotFoundError {
  return new NotFoundError(
    `No account ${accountSid} is reachable with these credentials: use your project id (the Basic auth username) or one of its subprojects.`,
  );
}

export function checkProjectName(friendlyName: string): void {
  const length = [...friendlyName].length;
  if (length < 1 || length > PROJECT_NAME_MAX_LENGTH) {
    throw new ValidationError([
      {
        code: "invalid_parameter",
        attribute: "FriendlyName",
        message: `FriendlyName must be ${PROJECT_NAME_EXPECTATION}.`,
      },
    ]);
  }
  checkText(friendlyName);
}

/** Names are stored and compared as sent, so they must be text every store keeps as it is. */
function checkText(friendlyName: string): void {
  const unstorable = unstorableText("FriendlyName", friendlyName);
  if (unstorable) throw new ValidationError([unstorable]);
}

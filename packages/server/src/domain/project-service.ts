import type { ProjectRecord, Store } from "../store/store.js";
import { NotFoundError, ValidationError } from "./errors.js";
import { newId, normalizeId } from "./identifiers.js";
import type { Principal } from "./principal.js";

export const PROJECT_NAME_MAX_LENGTH = 250;

/** Projects own tokens; a token authenticates as the project it belongs to. */
export class ProjectService {
  constructor(private readonly store: Store) {}

  async create(friendlyName: string, id: string = newId()): Promise<ProjectRecord> {
    if (friendlyName.length < 1 || friendlyName.length > PROJECT_NAME_MAX_LENGTH) {
      throw new ValidationError([
        {
          code: "invalid_parameter",
          attribute: "FriendlyName",
          message: `FriendlyName must be 1 to ${PROJECT_NAME_MAX_LENGTH} characters.`,
        },
      ]);
    }
    const now = new Date();
    const project: ProjectRecord = {
      id: normalizeId(id),
      parentId: null,
      friendlyName,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.insertProject(project);
    return project;
  }

  async list(): Promise<ProjectRecord[]> {
    return this.store.listProjects();
  }

  async find(id: string): Promise<ProjectRecord | undefined> {
    return this.store.findProject(normalizeId(id));
  }

  /**
   * The project a request acts on, named by the `AccountSid` in its path. Only the caller's own
   * project is reachable; any other id is reported as not found, so the existence of other
   * projects is never revealed.
   */
  scopeFor(principal: Principal, accountSid: string): string {
    const requested = normalizeId(accountSid);
    if (requested !== principal.projectId) {
      throw new NotFoundError(
        `No account ${accountSid} is reachable with these credentials. Use your project id (the Basic auth username) as AccountSid.`,
      );
    }
    return requested;
  }
}

import { AuthenticationError } from "../../domain/errors.js";
import { HARNESS_ID, harnessSecret } from "../../domain/harness-secret.js";
import { normalizeId } from "../../domain/identifiers.js";
import { PERMISSIONS } from "../../domain/permissions.js";
import type { ProjectService } from "../../domain/project-service.js";
import type { TokenService } from "../../domain/token-service.js";
import { parseBasicCredentials } from "../basic-credentials.js";

const HARNESS_PROJECT_NAME = "Mock harness project";
const HARNESS_TOKEN_NAME = "mock harness";

/**
 * Mock mode's credentials, as SignalWire's harnesses use them: a project id the store does not
 * know, shown with any token, becomes a top-level project with that id holding that token with
 * every permission. From then on it is a project like any other: its token authenticates and
 * no other does.
 */
export class HarnessCredentials {
  readonly #known = new Set<string>();
  readonly #provisioning = new Map<string, Promise<void>>();

  constructor(
    private readonly projects: ProjectService,
    private readonly tokens: TokenService,
  ) {}

  /**
   * The Authorization header the API should see for the one a client sent: the same, or with a
   * harness token replaced by the secret that stands for it. Provisions the project first when
   * the store does not know it.
   */
  async admit(header: string | undefined): Promise<string | undefined> {
    let credentials: { username: string; password: string };
    try {
      credentials = parseBasicCredentials(header);
    } catch (error) {
      if (error instanceof AuthenticationError) return header;
      throw error;
    }
    const { username, password } = credentials;
    if (!HARNESS_ID.test(username)) return header;
    const projectId = normalizeId(username);
    const secret = harnessSecret(projectId, password);
    if (!this.#known.has(projectId)) await this.#provision(projectId, secret);
    return secret === password
      ? header
      : `Basic ${Buffer.from(`${username}:${secret}`).toString("base64")}`;
  }

  /** Forgets which projects exist, after the store was reset under it. */
  forget(): void {
    this.#known.clear();
  }

  async #provision(projectId: string, secret: string): Promise<void> {
    let pending = this.#provisioning.get(projectId);
    if (!pending) {
      pending = (async () => {
        if (!(await this.projects.find(projectId))) {
          await this.projects.create(HARNESS_PROJECT_NAME, projectId);
          await this.tokens.create(
            projectId,
            { name: HARNESS_TOKEN_NAME, permissions: PERMISSIONS },
            { secret },
          );
        }
        this.#known.add(projectId);
      })().finally(() => this.#provisioning.delete(projectId));
      this.#provisioning.set(projectId, pending);
    }
    await pending;
  }
}

import { OPERATOR } from "./actor.js";
import { auditEntry } from "./audit-log.js";
import type { Clock } from "./clock.js";
import type { CredentialCache } from "./credential-cache.js";
import { ConfigError, ValidationError } from "./errors.js";
import { HARNESS_ID, harnessSecret } from "./harness-secret.js";
import { isUuid, newId, normalizeId } from "./identifiers.js";
import type { Keyring } from "./keyring.js";
import { newProjectRecord, newTokenRecord } from "./new-records.js";
import type { Permission } from "./permissions.js";
import { checkProjectName } from "./project-service.js";
import type { NewProjectRecord, NewTokenRecord, Store } from "./store.js";
import { validateTokenChanges } from "./token-fields.js";

interface FixtureToken {
  readonly id: string;
  readonly name: string;
  readonly permissions: Permission[];
  /** The secret as the fixtures give it: a Tokenspace secret, or a harness's own token. */
  readonly token: string;
}

interface FixtureProject {
  readonly id: string;
  readonly parentId: string | null;
  readonly friendlyName: string;
  readonly tokens: readonly FixtureToken[];
}

/** The projects, subprojects and tokens a fixtures file names, top-level projects first. */
export type FixtureSet = readonly FixtureProject[];

const MAX_TOKEN_LENGTH = 256;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * Reads a fixtures file's JSON: `{"projects": [{"id", "friendly_name", "tokens": [{"id"?,
 * "name", "permissions", "token"}], "subprojects": [...]}]}`. Anything that cannot be loaded
 * stops here, naming where in the file it is. A token without an id gets one now, kept for
 * every reset of this server's life.
 */
export function parseFixtures(text: string, source: string): FixtureSet {
  const fail = (where: string, message: string): never => {
    throw new ConfigError(`TOKENSPACE_FIXTURES ${source}: ${where}${message}`);
  };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return fail("", `is not JSON (${(error as Error).message}).`);
  }
  if (!isObject(document) || !Array.isArray(document.projects)) {
    return fail("", 'must be an object with a "projects" list.');
  }
  const projects: FixtureProject[] = [];
  const ids = new Set<string>();
  const secrets = new Set<string>();
  const idOf = (value: unknown, where: string) => {
    if (typeof value !== "string" || !(isUuid(value) || HARNESS_ID.test(value))) {
      return fail(where, "id must be a UUID, or letters, digits, _ and - (at most 64).");
    }
    const id = normalizeId(value);
    if (ids.has(id)) fail(where, `id ${value} is used twice.`);
    ids.add(id);
    return id;
  };
  const tokensOf = (value: unknown, projectId: string, where: string): FixtureToken[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) return fail(where, "tokens must be a list.");
    return value.map((token, index) => {
      const at = `${where}tokens[${index}].`;
      if (!isObject(token)) return fail(at, "must be an object.");
      const id = token.id === undefined ? newId() : idOf(token.id, at);
      const { name, permissions } = token;
      try {
        validateTokenChanges(
          { name: name as string, permissions: permissions as string[] },
          "create",
        );
      } catch (error) {
        if (error instanceof ValidationError) fail(at, error.message);
        throw error;
      }
      const secret = token.token;
      if (typeof secret !== "string" || secret === "" || secret.length > MAX_TOKEN_LENGTH) {
        return fail(at, `token must be the API token, 1 to ${MAX_TOKEN_LENGTH} characters.`);
      }
      const stored = harnessSecret(projectId, secret);
      if (secrets.has(stored)) fail(at, "token is given twice.");
      secrets.add(stored);
      return { id, name: name as string, permissions: permissions as Permission[], token: secret };
    });
  };
  const projectOf = (value: unknown, parentId: string | null, where: string) => {
    if (!isObject(value)) return fail(where, "must be an object.");
    const id = idOf(value.id, where);
    const friendlyName = value.friendly_name;
    if (typeof friendlyName !== "string") return fail(where, "friendly_name must be text.");
    try {
      checkProjectName(friendlyName);
    } catch (error) {
      if (error instanceof ValidationError) fail(where, error.message);
      throw error;
    }
    projects.push({ id, parentId, friendlyName, tokens: tokensOf(value.tokens, id, where) });
    return value;
  };
  document.projects.forEach((value: unknown, index: number) => {
    const where = `projects[${index}].`;
    const project = projectOf(value, null, where);
    const subprojects = project.subprojects ?? [];
    if (!Array.isArray(subprojects)) fail(where, "subprojects must be a list.");
    (subprojects as unknown[]).forEach((child, childIndex) => {
      const at = `${where}subprojects[${childIndex}].`;
      if (isObject(child) && child.subprojects !== undefined) {
        fail(at, "a subproject cannot have subprojects.");
      }
      projectOf(child, normalizeId(String(project.id)), at);
    });
  });
  return projects;
}

/**
 * Puts the store back to exactly the fixtures: every other project, token and audit entry goes,
 * in one transaction, and the credentials remembered in memory with them.
 */
export class FixtureRestorer {
  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly cache: CredentialCache,
    private readonly clock: Clock,
    private readonly fixtures: FixtureSet,
  ) {}

  /** The rows last built, and the key they were sealed under. */
  #built:
    | {
        readonly keyFingerprint: string;
        readonly projects: NewProjectRecord[];
        readonly tokens: NewTokenRecord[];
      }
    | undefined;

  async restore(): Promise<{ readonly projects: number; readonly tokens: number }> {
    const now = this.clock.now();
    const { projects, tokens } = this.#rows(now);
    await this.store.replaceContents(
      projects,
      tokens,
      auditEntry(
        "fixtures.restored",
        { type: "server", id: null, projectId: null },
        OPERATOR,
        now,
        {
          projects: projects.length,
          tokens: tokens.length,
        },
      ),
    );
    this.cache.forgetAll();
    return { projects: projects.length, tokens: tokens.length };
  }

  /**
   * The fixtures as rows, built (sealed) once and kept while the key they were sealed under is
   * the key in use: every reset puts back the very rows the first one wrote.
   */
  #rows(now: Date): { projects: NewProjectRecord[]; tokens: NewTokenRecord[] } {
    const keyFingerprint = this.keyring.primary.keyFingerprint();
    if (this.#built?.keyFingerprint === keyFingerprint) return this.#built;
    const projects = this.fixtures.map(
      ({ id, parentId, friendlyName }) =>
        newProjectRecord(this.keyring, { id, parentId, friendlyName }, now).record,
    );
    const tokens = this.fixtures.flatMap((project) =>
      project.tokens.map(({ id, name, permissions, token }) =>
        newTokenRecord(
          this.keyring,
          { id, projectId: project.id, name, permissions },
          harnessSecret(project.id, token),
          "plain",
          now,
        ),
      ),
    );
    this.#built = { keyFingerprint, projects, tokens };
    return this.#built;
  }
}

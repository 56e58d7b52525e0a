import { randomBytes } from "node:crypto";
import type Database from "better-sqlite3";
import { newId } from "../packages/server/src/domain/identifiers.js";
import { SecretVault } from "../packages/server/src/domain/secret-vault.js";
import { generateSecret } from "../packages/server/src/domain/token-secret.js";
import {
  openSqliteConnection,
  SqliteStore,
} from "../packages/server/src/store/sqlite/sqlite-store.js";

/** One create with its id, secret, digest and seal drawn: what is left is to write it. */
export interface StagedCreate {
  /** Confirms the actor and inserts the token and its audit entry (inside `commit`). */
  readonly write: () => void;
  /** The token as a create answers it. */
  readonly body: () => string;
}

export interface DurableCreateWrites {
  readonly db: Database.Database;
  stage(name: string, permissions: readonly string[]): StagedCreate;
  /** Writes the staged creates in one transaction: one commit, one fsync. */
  commit(creates: readonly StagedCreate[]): void;
  /**
   * A create as a server makes it: staged now, written by the group commit at the end of this
   * turn of the event loop with every other create of the turn, then answered with its body.
   */
  create(name: string, permissions: readonly string[], answer: (body: string) => void): void;
}

interface QueuedCreate {
  readonly staged: StagedCreate;
  readonly answer: (body: string) => void;
}

/**
 * A durable create's work and nothing else, on a database of its own: Tokenspace's schema (its
 * indexes and triggers) and connection settings (WAL, `synchronous = FULL`, foreign keys), the
 * secret digested and sealed by Tokenspace's own SecretVault, the actor's token confirmed and
 * the token and its audit entry inserted in the commit. The create's floors serve it over
 * node:http and over Fastify; the frames count runs it in a loop.
 */
export async function openDurableCreateWrites(filename: string): Promise<DurableCreateWrites> {
  await (await SqliteStore.open(filename)).close();
  const db = openSqliteConnection(filename);
  const vault = new SecretVault(randomBytes(32));
  const now = Date.now();
  const projectId = newId();
  db.prepare(
    "INSERT INTO projects (id, friendly_name, created_at, updated_at, token_list_version) VALUES (?, 'Floor', ?, ?, '0')",
  ).run(projectId, now, now);
  const insertToken = db.prepare(`INSERT INTO tokens
    (id, project_id, name, permissions, secret_digest, sealed_secret, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const actorId = newId();
  const actorSecret = generateSecret();
  insertToken.run(
    actorId,
    projectId,
    "actor",
    '["management"]',
    vault.digest(actorSecret),
    vault.seal(actorSecret, actorId),
    now,
    now,
  );
  const confirmActor = db.prepare("SELECT 1 FROM tokens WHERE id = ? AND updated_at = ?").pluck();
  const insertAudit = db.prepare(`INSERT INTO audit_events
    (action, project_id, target_type, target_id, actor_project_id, actor_token_id, details, occurred_at)
    VALUES ('token.created', ?, 'token', ?, ?, ?, '{"fields":["name","permissions"]}', ?)`);
  const commit = db.transaction((creates: readonly StagedCreate[]) => {
    for (const create of creates) create.write();
  });

  const statements: FloorStatements = {
    projectId,
    actorId,
    actorVersion: now,
    confirmActor,
    insertToken,
    insertAudit,
  };
  let queued: QueuedCreate[] = [];
  const commitQueued = () => {
    const creates = queued;
    queued = [];
    commit(creates.map((create) => create.staged));
    for (const create of creates) create.answer(create.staged.body());
  };

  const writes: DurableCreateWrites = {
    db,
    commit,
    create(name, permissions, answer) {
      if (queued.length === 0) setImmediate(commitQueued);
      queued.push({ staged: writes.stage(name, permissions), answer });
    },
    stage(name, permissions) {
      return new StagedToken(statements, vault, name, permissions);
    },
  };
  return writes;
}

/** The prepared statements and fixed values every staged create writes with. */
interface FloorStatements {
  readonly projectId: string;
  readonly actorId: string;
  readonly actorVersion: number;
  readonly confirmActor: Database.Statement;
  readonly insertToken: Database.Statement;
  readonly insertAudit: Database.Statement;
}

/**
 * A staged create, as a class rather than an object of closures: `bench:create-frames` runs
 * this file through tsx, whose esbuild keeps function names by calling `Object.defineProperty`
 * on each named closure as it is made, work no server does.
 */
class StagedToken implements StagedCreate {
  readonly #id = newId();
  readonly #created = Date.now();
  readonly #secret: string;
  readonly #digest: Buffer;
  readonly #sealed: Buffer;

  constructor(
    private readonly statements: FloorStatements,
    vault: SecretVault,
    private readonly name: string,
    private readonly permissions: readonly string[],
  ) {
    this.#secret = generateSecret(this.#created);
    this.#digest = vault.digest(this.#secret, "time-led");
    this.#sealed = vault.seal(this.#secret, this.#id);
  }

  write(): void {
    const { projectId, actorId, actorVersion, confirmActor, insertToken, insertAudit } =
      this.statements;
    if (confirmActor.get(actorId, actorVersion) === undefined) throw new Error("actor changed");
    insertToken.run(
      this.#id,
      projectId,
      this.name,
      JSON.stringify(this.permissions),
      this.#digest,
      this.#sealed,
      this.#created,
      this.#created,
    );
    insertAudit.run(projectId, this.#id, projectId, actorId, this.#created);
  }

  body(): string {
    return JSON.stringify({
      id: this.#id,
      name: this.name,
      permissions: this.permissions,
      token: this.#secret,
    });
  }
}

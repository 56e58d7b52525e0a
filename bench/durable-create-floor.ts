import { randomBytes } from "node:crypto";
import { newId } from "../packages/server/src/domain/identifiers.js";
import { SecretVault } from "../packages/server/src/domain/secret-vault.js";
import { generateSecret } from "../packages/server/src/domain/token-secret.js";
import {
  openSqliteConnection,
  SqliteStore,
} from "../packages/server/src/store/sqlite/sqlite-store.js";
import { answerJson, serveReference } from "./reference-server.js";

/**
 * The floor of a durable create on SQLite: what node:http and better-sqlite3 cost doing a
 * create's writes with nothing else, so that BENCHMARKS.md can tell what the design spends
 * above what the work itself takes. Per POST: the JSON body parsed, an id and a secret drawn,
 * the secret digested and sealed (Tokenspace's own SecretVault), and in one group commit per
 * turn, on Tokenspace's schema (its indexes and triggers) with its connection settings (WAL,
 * `synchronous = FULL`, foreign keys), the actor's token confirmed, the token and its audit
 * entry inserted; then the token answered as JSON. No routing, no authentication, no
 * validation, no logging. Started as its own process by run.ts, on a database of its own.
 */
const filename = String(process.env.DATABASE_URL).replace(/^sqlite:/, "");
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

interface Create {
  readonly write: () => void;
  readonly answer: () => void;
}
let pending: Create[] = [];
const commit = db.transaction((creates: Create[]) => {
  for (const create of creates) create.write();
});
function flush(): void {
  const creates = pending;
  pending = [];
  commit(creates);
  for (const create of creates) create.answer();
}

serveReference((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    if (request.method !== "POST") return answerJson(response, "{}");
    const { name, permissions } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const id = newId();
    const secret = generateSecret();
    const created = Date.now();
    const digest = vault.digest(secret);
    const sealed = vault.seal(secret, id);
    if (pending.length === 0) setImmediate(flush);
    pending.push({
      write: () => {
        if (confirmActor.get(actorId, now) === undefined) throw new Error("actor changed");
        insertToken.run(
          id,
          projectId,
          name,
          JSON.stringify(permissions),
          digest,
          sealed,
          created,
          created,
        );
        insertAudit.run(projectId, id, projectId, actorId, created);
      },
      answer: () => answerJson(response, JSON.stringify({ id, name, permissions, token: secret })),
    });
  });
});

import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { OPERATOR } from "../packages/server/src/domain/actor.js";
import { generateSecret } from "../packages/server/src/domain/token-secret.js";
import { loadConfig } from "../packages/server/src/runtime/config.js";
import { openTokenspace } from "../packages/server/src/runtime/tokenspace.js";

export interface SeededStore {
  readonly env: Record<string, string>;
  readonly projectId: string;
  /** The management token the scenarios authenticate with. */
  readonly token: string;
  /** Ids of a token the scenarios read and update. */
  readonly readTokenId: string;
  /**
   * A token with a rate limit and uses, both far from running out: its verifications go all
   * the way through the limits and are always allowed.
   */
  readonly limitedToken: string;
  /** Tokens the update scenario changes, one after the other. */
  readonly updatableIds: string[];
  /** Tokens created for the delete scenario, one per request. */
  readonly deletableIds: string[];
}

/** How many tokens the update scenario takes turns at changing. */
const UPDATABLE = 1_000;

const CHUNK = 10_000;

/**
 * Leaves a freshly filled PostgreSQL database with nothing left to do: otherwise autovacuum
 * vacuums and analyzes the new rows, and the checkpointer writes them out, while the first
 * scenarios are measured, on the same two cores as the server. SQLite has no such background
 * work.
 */
async function settle(databaseUrl: string): Promise<void> {
  if (!databaseUrl.startsWith("postgres")) return;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("VACUUM (ANALYZE)");
    await client.query("CHECKPOINT");
  } finally {
    await client.end();
  }
}

/**
 * Fills a fresh store straight through the store layer (bulk imports of pre-built tokens in
 * chunks), then leaves it for a server process to open.
 */
export async function seedStore(
  databaseUrl: string,
  tokenCount: number,
  deletable: number,
): Promise<SeededStore> {
  const projectId = randomUUID();
  const token = generateSecret();
  const env = {
    DATABASE_URL: databaseUrl,
    TOKENSPACE_SECRET_KEY: randomBytes(32).toString("hex"),
    TOKENSPACE_BOOTSTRAP_PROJECT_ID: projectId,
    TOKENSPACE_BOOTSTRAP_TOKEN: token,
    LOG_LEVEL: "info",
  };
  const tokenspace = await openTokenspace(loadConfig(env));
  try {
    await tokenspace.projects.create("Benchmark", projectId);
    await tokenspace.tokens.create(
      projectId,
      { name: "bootstrap", permissions: ["management"] },
      { secret: token },
    );
    const read = await tokenspace.tokens.create(projectId, {
      name: "read me",
      permissions: ["calling", "fax"],
    });
    for (let seeded = 0; seeded < tokenCount; seeded += CHUNK) {
      const size = Math.min(CHUNK, tokenCount - seeded);
      await tokenspace.tokens.importTokens(
        projectId,
        Array.from({ length: size }, (_, index) => ({
          name: `seeded ${seeded + index}`,
          permissions: ["calling", "messaging"],
          secret: generateSecret(),
        })),
      );
    }
    const limited = await tokenspace.tokens.createManaged(
      projectId,
      {
        name: "limited",
        permissions: ["management"],
        rateLimit: { limit: 1_000_000_000, window: "1h" },
        usesRemaining: 1_000_000_000_000,
      },
      OPERATOR,
    );
    const updatableIds = await tokenspace.tokens.importTokens(
      projectId,
      Array.from({ length: UPDATABLE }, (_, index) => ({
        name: `update me ${index}`,
        permissions: ["chat"],
        secret: generateSecret(),
      })),
    );
    const deletableIds: string[] = [];
    for (let index = 0; index < deletable; index += CHUNK) {
      const size = Math.min(CHUNK, deletable - index);
      const ids = await tokenspace.tokens.importTokens(
        projectId,
        Array.from({ length: size }, () => ({
          name: "delete me",
          permissions: ["chat"],
          secret: generateSecret(),
        })),
      );
      deletableIds.push(...ids);
    }
    await settle(databaseUrl);
    return {
      env,
      projectId,
      token,
      readTokenId: read.id,
      limitedToken: limited.token,
      updatableIds,
      deletableIds,
    };
  } finally {
    await tokenspace.close();
  }
}

import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../packages/server/src/runtime/config.js";
import { openTokenspace } from "../packages/server/src/runtime/tokenspace.js";
import { numericOption } from "./numeric-option.js";

/**
 * npm run bench:create-instructions [-- --batch=26] [-- --commits=300]
 *
 * The machine instructions a durable create costs on SQLite in process, counted by valgrind
 * (callgrind) rather than timed: the token service's create, made by a management token as
 * the Tokens API makes it (validation, the secret drawn, digested and sealed, the actor
 * confirmed, the token and its audit entry inserted, the group commit), `--batch` creates a
 * commit. No HTTP. A count is the same from run to run within about 2 % on any host, however
 * busy, where a time on a shared host moves by half: a change to the create's own work shows
 * in it.
 *
 * Two runs, of `--commits` and of twice as many commits; the difference between their counts,
 * over the creates it adds, leaves out start-up and the JIT's warm-up.
 */
const batch = numericOption("batch", 26);
const commits = numericOption("commits", 300);

/** The creates themselves, in the process valgrind runs. */
async function makeCreates(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), "tokenspace-instructions-"));
  try {
    const tokenspace = await openTokenspace(
      loadConfig({
        DATABASE_URL: `sqlite:${join(directory, "instructions.db")}`,
        TOKENSPACE_SECRET_KEY: randomBytes(32).toString("hex"),
        LOG_LEVEL: "warn",
      }),
    );
    const projectId = randomUUID();
    await tokenspace.projects.create("Instructions", projectId);
    const manager = await tokenspace.tokens.create(projectId, {
      name: "manager",
      permissions: ["management"],
    });
    const version = (await tokenspace.store.findTokenById(manager.id))?.updatedAt;
    // As a request authenticated from the cache makes it: the write confirms its token.
    const actor = {
      projectId,
      tokenId: manager.id,
      requestId: "request",
      clientAddress: "127.0.0.1",
      unconfirmedTokenVersion: version,
    };
    for (let commit = 0; commit < commits; commit++) {
      await Promise.all(
        Array.from({ length: batch }, () =>
          tokenspace.tokens.create(
            projectId,
            { name: "bench", permissions: ["calling", "messaging"] },
            { actor },
          ),
        ),
      );
    }
    await tokenspace.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The instructions a run of `runCommits` commits executed, all threads. */
function countInstructions(runCommits: number): number {
  const run = spawnSync(
    "valgrind",
    [
      "--tool=callgrind",
      "--callgrind-out-file=/dev/null",
      process.execPath,
      "--conditions=tokenspace-source",
      "--import",
      "tsx",
      "bench/create-instructions.ts",
      "--child",
      `--batch=${batch}`,
      `--commits=${runCommits}`,
    ],
    { encoding: "utf8" },
  );
  if (run.error) throw new Error(`valgrind could not be run (${run.error.message}): install it`);
  const counted = /I\s+refs:\s+([\d,]+)/.exec(run.stderr)?.[1];
  if (run.status !== 0 || counted === undefined) {
    throw new Error(`the counted run failed (exit ${run.status}):\n${run.stderr}`);
  }
  return Number(counted.replaceAll(",", ""));
}

if (process.argv.includes("--child")) {
  await makeCreates();
} else {
  const shorter = countInstructions(commits);
  const longer = countInstructions(2 * commits);
  const creates = commits * batch;
  process.stdout.write(
    `${creates} creates in ${commits} commits of ${batch}, counted against twice as many\n` +
      `instructions per create: ${Math.round((longer - shorter) / creates).toLocaleString("en")}\n`,
  );
}

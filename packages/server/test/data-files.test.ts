import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { runCli, serve } from "./support/cli.js";
import { TEST_STORE } from "./support/test-database.js";

const mode = (path: string) => statSync(path).mode & 0o777;

describe.skipIf(TEST_STORE !== "sqlite")("the embedded store's files are private", () => {
  let parent: string;
  let dataDirectory: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), "tokenspace-files-"));
    dataDirectory = join(parent, "data");
    env = { DATABASE_URL: `sqlite:${join(dataDirectory, "tokenspace.db")}` };
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  test("a data directory Tokenspace creates is 0700; the database, WAL, SHM and key files 0600", async () => {
    const server = await serve({ env });
    try {
      expect(mode(dataDirectory)).toBe(0o700);
      for (const file of [
        "tokenspace.db",
        "tokenspace.db-wal",
        "tokenspace.db-shm",
        "tokenspace.key",
      ]) {
        expect(mode(join(dataDirectory, file)), file).toBe(0o600);
      }
    } finally {
      await server.stop();
    }
  });

  test("database files left readable by others are narrowed to 0600 at start", async () => {
    await (await serve({ env })).stop();
    const database = join(dataDirectory, "tokenspace.db");
    chmodSync(database, 0o644);
    await (await serve({ env })).stop();
    expect(mode(database)).toBe(0o600);
  });

  test("a database in use whose key file is gone refuses to start, writes no key and changes nothing", async () => {
    await (await serve({ env })).stop();
    const keyFile = join(dataDirectory, "tokenspace.key");
    const database = join(dataDirectory, "tokenspace.db");
    unlinkSync(keyFile);
    const before = readFileSync(database);
    const result = await runCli(["serve", "--port", "0"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("key file is missing");
    expect(result.stderr).toContain(keyFile);
    expect(existsSync(keyFile)).toBe(false);
    expect(readFileSync(database).equals(before)).toBe(true);
  });

  test("an empty database still gets a fresh key file on first start", async () => {
    const server = await serve({ env });
    await server.stop();
    expect(existsSync(join(dataDirectory, "tokenspace.key"))).toBe(true);
  });
});

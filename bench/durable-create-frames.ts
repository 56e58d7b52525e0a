import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDurableCreateWrites } from "./durable-create-writes.js";
import { numericOption } from "./numeric-option.js";

/**
 * npm run bench:create-frames [-- --batch=27] [-- --tokens=20000] [-- --commits=50]
 *
 * Where a durable create's database work goes, counted rather than timed: the create's floor
 * (durable-create-writes.ts) with `--tokens` creates already made, then `--commits` group
 * commits of `--batch` creates each, with automatic checkpoints off so that the write-ahead log
 * holds every page those commits wrote. Each WAL frame is one page written (two `pwrite`s, and
 * later one `pread` and one `pwrite` by the checkpoint); the frames are counted per create and
 * per B-tree (SQLite's `dbstat`). The counts are the same on every host; only the time a
 * frame costs differs.
 */
const batch = numericOption("batch", 27);
const tokens = numericOption("tokens", 20_000);
const commits = numericOption("commits", 50);

const directory = mkdtempSync(join(tmpdir(), "tokenspace-frames-"));
const filename = join(directory, "frames.db");
try {
  const writes = await openDurableCreateWrites(filename);
  writes.db.pragma("wal_autocheckpoint = 0");
  const commitBatch = () =>
    writes.commit(
      Array.from({ length: batch }, () => writes.stage("bench", ["calling", "messaging"])),
    );
  for (let made = 0; made < tokens; made += batch) commitBatch();
  writes.db.pragma("wal_checkpoint(TRUNCATE)");
  const cpuBefore = process.cpuUsage();
  for (let commit = 0; commit < commits; commit++) commitBatch();
  const cpu = process.cpuUsage(cpuBefore);

  const wal = readFileSync(`${filename}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const frameSize = 24 + pageSize;
  // SQLite names a UNIQUE constraint's index sqlite_autoindex_<table>_<n>: shown with its columns.
  const columnsOf = writes.db
    .prepare("SELECT group_concat(name, ', ') FROM pragma_index_info(?)")
    .pluck();
  const btreeOf = new Map<number, string>();
  for (const page of writes.db.prepare("SELECT name, pageno, pagetype FROM dbstat").all() as {
    name: string;
    pageno: number;
    pagetype: string;
  }[]) {
    const columns = page.name.startsWith("sqlite_autoindex_")
      ? ` on ${columnsOf.get(page.name)}`
      : "";
    btreeOf.set(page.pageno, `${page.name}${columns} (${page.pagetype})`);
  }
  writes.db.close();

  const framesBy = new Map<string, number>();
  let frames = 0;
  for (let offset = 32; offset + frameSize <= wal.length; offset += frameSize) {
    const btree = btreeOf.get(wal.readUInt32BE(offset)) ?? "freed since";
    framesBy.set(btree, (framesBy.get(btree) ?? 0) + 1);
    frames++;
  }
  const creates = commits * batch;
  const perCreate = (count: number) => (count / creates).toFixed(3);
  process.stdout.write(
    `${creates} creates in ${commits} commits of ${batch}, after ${tokens} creates; ${pageSize}-byte pages\n` +
      `WAL frames per create: ${perCreate(frames)}; CPU per create (user + system, this host): ${((cpu.user + cpu.system) / creates).toFixed(1)} µs\n\n` +
      "| B-tree (page type) | frames per create |\n| --- | ---: |\n" +
      [...framesBy]
        .sort((a, b) => b[1] - a[1])
        .map(([btree, count]) => `| ${btree} | ${perCreate(count)} |`)
        .join("\n") +
      "\n",
  );
} finally {
  rmSync(directory, { recursive: true, force: true });
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Global setup of every project: the run's temporary files go under one directory, removed when
 * the run ends. Tests make directories of their own for each server, and so do the servers, CLIs,
 * proxies and browsers they start; all of them find it through TMPDIR, which the test workers and
 * their child processes inherit from this process.
 */
export default function setup() {
  // Each project runs this setup; the first one makes the directory and removes it at the end.
  if (process.env.TOKENSPACE_TEST_TMPDIR) return;
  const directory = mkdtempSync(join(tmpdir(), "tokenspace-tests-"));
  process.env.TOKENSPACE_TEST_TMPDIR = directory;
  process.env.TMPDIR = directory;
  return () => rmSync(directory, { recursive: true, force: true });
}

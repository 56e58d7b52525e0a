import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that take longest, slowest first: they start at once and run beside the many short
 * ones, instead of starting last and keeping the run waiting for them alone. Vitest orders by
 * the durations it cached from earlier runs, which a fresh clone (and CI) does not have.
 */
const LONGEST = [
  "server/test/package-install.test.ts",
  "server/test/multi-node.test.ts",
  "console/test/console.test.ts",
  "bench/bench.test.ts",
  "server/test/key-rotation.test.ts",
  "server/test/cli-and-bootstrap.test.ts",
  "server/test/tls.test.ts",
];

const rank = (file: TestSpecification) => {
  const index = LONGEST.findIndex((name) => file.moduleId.endsWith(name));
  return index === -1 ? LONGEST.length : index;
};

export default class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...(await super.sort(files))].sort((a, b) => rank(a) - rank(b));
  }
}

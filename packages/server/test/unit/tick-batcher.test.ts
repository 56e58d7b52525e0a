import { expect, test } from "vitest";
import { TickBatcher } from "../../src/store/tick-batcher.js";

/**
 * A batcher that doubles numbers, recording how it was called: its batches, its calls made
 * alone, and both in the order they were made (`made`, a call alone as a list of one).
 * `refuse` fails any batch holding it; `sameTarget` keys the calls that never share a batch.
 */
function doubling(maxBatch: number, refuse?: number, sameTarget?: (input: number) => unknown) {
  const batches: number[][] = [];
  const alone: number[] = [];
  const made: number[][] = [];
  const batcher = new TickBatcher<number, number>(
    async (inputs) => {
      batches.push([...inputs]);
      made.push([...inputs]);
      if (refuse !== undefined && inputs.includes(refuse)) throw new Error("constraint");
      return inputs.map((input) => input * 2);
    },
    async (input) => {
      alone.push(input);
      made.push([input]);
      if (input === refuse) throw new Error(`refused ${input}`);
      return input * 2;
    },
    {
      final: (error) => error instanceof Error && error.message === "outage",
      maxBatch,
      ...(sameTarget && { sameTarget }),
    },
  );
  return { batcher, batches, alone, made };
}

test("calls made in one turn of the event loop are made as one batch, each answered with its own output", async () => {
  const { batcher, batches, alone } = doubling(10);

  const outputs = await Promise.all([1, 2, 3].map((input) => batcher.run(input)));

  expect(outputs).toEqual([2, 4, 6]);
  expect(batches).toEqual([[1, 2, 3]]);
  expect(alone).toEqual([]);
});

test("a call alone in its turn is made alone", async () => {
  const { batcher, batches, alone } = doubling(10);

  expect(await batcher.run(7)).toBe(14);
  expect(await batcher.run(8)).toBe(16);

  expect(batches).toEqual([]);
  expect(alone).toEqual([7, 8]);
});

test("a burst larger than a batch is made in batches of at most the batch size", async () => {
  const { batcher, batches } = doubling(2);

  const outputs = await Promise.all([1, 2, 3, 4, 5].map((input) => batcher.run(input)));

  expect(outputs).toEqual([2, 4, 6, 8, 10]);
  expect(batches.map((batch) => batch.length)).toEqual([2, 2]);
});

test("a batch that fails is made again call by call, and only the failing call fails", async () => {
  const { batcher, alone } = doubling(10, 2);

  const outcomes = await Promise.allSettled([1, 2, 3].map((input) => batcher.run(input)));

  expect(outcomes).toEqual([
    { status: "fulfilled", value: 2 },
    { status: "rejected", reason: new Error("refused 2") },
    { status: "fulfilled", value: 6 },
  ]);
  expect(alone).toEqual([1, 2, 3]);
});

test("a batch that fails for a reason that is not its inputs' fails every call, none made again", async () => {
  const alone: number[] = [];
  const batcher = new TickBatcher<number, number>(
    async () => {
      throw new Error("outage");
    },
    async (input) => {
      alone.push(input);
      return input;
    },
    { final: (error) => error instanceof Error && error.message === "outage" },
  );

  const outcomes = await Promise.allSettled([1, 2, 3].map((input) => batcher.run(input)));

  expect(outcomes.map((outcome) => outcome.status)).toEqual(["rejected", "rejected", "rejected"]);
  expect(alone).toEqual([]);
});

test("calls that arrive while a batch is in flight wait for it, then are made together as the next batch", async () => {
  const batches: number[][] = [];
  let finishFirst: () => void = () => {};
  const firstInFlight = new Promise<void>((resolve) => {
    finishFirst = resolve;
  });
  const batcher = new TickBatcher<number, number>(
    async (inputs) => {
      batches.push([...inputs]);
      if (batches.length === 1) await firstInFlight;
      return inputs.map((input) => input * 2);
    },
    async (input) => input * 2,
  );

  const first = Promise.all([1, 2].map((input) => batcher.run(input)));
  await new Promise((resolve) => setImmediate(resolve));
  const later = [3, 4, 5].map((input) => batcher.run(input));
  await new Promise((resolve) => setTimeout(resolve, 10));
  const madeWhileInFlight = batches.length;
  finishFirst();

  expect(await first).toEqual([2, 4]);
  expect(await Promise.all(later)).toEqual([6, 8, 10]);
  expect(madeWhileInFlight).toBe(1);
  expect(batches).toEqual([
    [1, 2],
    [3, 4, 5],
  ]);
});

test("calls of one target are never in one batch: each later one is made after the one before it", async () => {
  const { batcher, made } = doubling(10, undefined, (input) => input % 10);

  const outputs = await Promise.all([1, 11, 2, 21, 3].map((input) => batcher.run(input)));

  expect(outputs).toEqual([2, 22, 4, 42, 6]);
  expect(made).toEqual([[1, 2, 3], [11], [21]]);
});

test("a batch full of distinct targets leaves the calls after it, of any target, in the order made", async () => {
  const { batcher, made } = doubling(2, undefined, (input) => input % 10);

  await Promise.all([1, 11, 2, 3, 13, 4].map((input) => batcher.run(input)));

  expect(made).toEqual([
    [1, 2],
    [11, 3],
    [13, 4],
  ]);
});

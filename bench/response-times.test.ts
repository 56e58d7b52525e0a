import { expect, test } from "vitest";
import { ResponseTimes } from "./response-times.js";

test("the 99th percentile of 100 response times is the 99th shortest, in whatever order they came", () => {
  const times = new ResponseTimes();
  for (let index = 100; index >= 1; index--) times.record(index / 10);
  expect(times.percentile(99)).toBe(9.9);
  expect(times.percentile(50)).toBe(5);
  expect(times.max()).toBe(10);
});

test("response times keep their fractions of a millisecond", () => {
  const times = new ResponseTimes();
  for (const milliseconds of [1.2, 1.25, 0.4]) times.record(milliseconds);
  expect(times.percentile(99)).toBe(1.25);
  expect(times.percentile(1)).toBe(0.4);
});

test("a run without a response to time reports 0", () => {
  expect(new ResponseTimes().percentile(99)).toBe(0);
  expect(new ResponseTimes().max()).toBe(0);
});

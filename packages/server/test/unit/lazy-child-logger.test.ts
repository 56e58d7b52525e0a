import pino from "pino";
import { expect, test } from "vitest";
import { LazyChildLogger } from "../../src/http/lazy-child-logger.js";

/** A pino logger writing JSON lines into an array, with the server's redaction of secrets. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: "info", redact: { paths: ["token"], censor: "[redacted]" } },
    { write: (line: string) => lines.push(JSON.parse(line)) },
  );
  return { logger, lines };
}

test("a request's logger writes its lines with the request's bindings, secrets redacted", () => {
  const { logger, lines } = capturingLogger();
  const child = LazyChildLogger.over(logger).child({ reqId: "req-1" });
  child.warn({ token: "PT-secret" }, "counters unavailable");
  expect(lines).toEqual([
    expect.objectContaining({
      level: 40,
      reqId: "req-1",
      token: "[redacted]",
      msg: "counters unavailable",
    }),
  ]);
});

test("a request's logger honours the level it was given, and levels below it write nothing", () => {
  const { logger, lines } = capturingLogger();
  const child = LazyChildLogger.over(logger).child({ reqId: "req-2" }, { level: "error" });
  expect(child.level).toBe("error");
  child.info("not written");
  child.error("written");
  expect(lines.map((line) => line.msg)).toEqual(["written"]);
});

test("a request's logger is not made until something is logged through it", () => {
  const { logger } = capturingLogger();
  let made = 0;
  const counting = Object.assign(Object.create(logger), {
    child: (...args: Parameters<typeof logger.child>) => {
      made++;
      return logger.child(...args);
    },
  });
  const child = LazyChildLogger.over(counting).child({ reqId: "req-3" });
  expect(made).toBe(0);
  child.info("first");
  child.info("second");
  expect(made).toBe(1);
});

test("a child of a request's logger is made on first use too, with both loggers' bindings", () => {
  const { logger, lines } = capturingLogger();
  let made = 0;
  const counting = Object.assign(Object.create(logger), {
    child: (...args: Parameters<typeof logger.child>) => {
      made++;
      return logger.child(...args);
    },
  });
  const child = LazyChildLogger.over(counting).child({ reqId: "req-4" }).child({ step: "parse" });
  expect(made).toBe(0);
  child.info("nested");
  expect(lines).toEqual([
    expect.objectContaining({ reqId: "req-4", step: "parse", msg: "nested" }),
  ]);
});

test("the server's logger handed to Fastify logs as it is, making no child", () => {
  const { logger, lines } = capturingLogger();
  LazyChildLogger.over(logger).info({ token: "PT-secret" }, "listening");
  expect(lines).toEqual([expect.objectContaining({ token: "[redacted]", msg: "listening" })]);
  expect(lines[0]).not.toHaveProperty("reqId");
});

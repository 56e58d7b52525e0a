import { expect, test } from "vitest";
import { StoreConflictError, StoreUnavailableError } from "../../src/domain/errors.js";
import { classifyPostgresError } from "../../src/store/postgres/postgres-errors.js";

test("a pool with no connection free in time is unavailable, and says its pool was busy", () => {
  const classified = classifyPostgresError(new Error("timeout exceeded when trying to connect"));

  expect(classified).toBeInstanceOf(StoreUnavailableError);
  expect((classified as Error).message).toMatch(
    /stayed busy past TOKENSPACE_PG_CONNECT_TIMEOUT_MS/,
  );
});

test("a database that refuses the connection is unavailable, and says it cannot be reached", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
    code: "ECONNREFUSED",
  });

  const classified = classifyPostgresError(refused);

  expect(classified).toBeInstanceOf(StoreUnavailableError);
  expect((classified as Error).message).toMatch(/^The database cannot be reached/);
});

test("a unique violation is a conflict, and any other error is left as it is", () => {
  const other = Object.assign(new Error("syntax error"), { code: "42601" });

  expect(classifyPostgresError(Object.assign(new Error("dup"), { code: "23505" }))).toBeInstanceOf(
    StoreConflictError,
  );
  expect(classifyPostgresError(other)).toBe(other);
});

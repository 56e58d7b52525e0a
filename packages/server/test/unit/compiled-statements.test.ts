import { expect, test } from "vitest";
import { POSTGRES_DIALECT } from "../../src/store/postgres/postgres-dialect.js";
import { compileStatement } from "../../src/store/sql/sql-dialect.js";
import { SQLITE_DIALECT } from "../../src/store/sqlite/sqlite-dialect.js";

const SQL = "UPDATE tokens SET name = @name, enabled = @enabled WHERE id = @id AND name <> @name";

test("SQLite binds a value for each use of a parameter, in the order of the placeholders", () => {
  const statement = compileStatement(SQLITE_DIALECT, "rename", SQL);

  expect(statement.text).toBe("UPDATE tokens SET name = ?, enabled = ? WHERE id = ? AND name <> ?");
  expect(statement.listValues({ id: "t1", name: "new", enabled: true })).toEqual([
    "new",
    1,
    "t1",
    "new",
  ]);
});

test("PostgreSQL binds each parameter once, however often it is used", () => {
  const statement = compileStatement(POSTGRES_DIALECT, "rename", SQL);

  expect(statement.text).toBe(
    "UPDATE tokens SET name = $1, enabled = $2 WHERE id = $3 AND name <> $1",
  );
  expect(statement.listValues({ id: "t1", name: "new", enabled: true })).toEqual([
    "new",
    true,
    "t1",
  ]);
});

test("values are encoded for the driver: times and flags as SQLite keeps them", () => {
  const statement = compileStatement(SQLITE_DIALECT, "stamp", "SELECT @at, @on, @off, @none");
  const at = new Date("2026-12-07T05:00:00.000Z");

  expect(statement.listValues({ at, on: true, off: false, none: null })).toEqual([
    at.getTime(),
    1,
    0,
    null,
  ]);
});

test("a statement run without a value for one of its parameters names the statement and the parameter", () => {
  const statement = compileStatement(SQLITE_DIALECT, "rename", SQL);

  expect(() => statement.listValues({ id: "t1", enabled: true })).toThrow(
    "statement rename was run without a value for @name",
  );
});

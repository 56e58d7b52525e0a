import type { ColumnValue } from "./tables.js";

/**
 * What tells the two databases' SQL apart, and nothing else. Statements are written once, with
 * named parameters `@name` (or `@name::type` where PostgreSQL cannot infer the type), and each
 * dialect compiles them to its own placeholders. Upserts (`ON CONFLICT … DO …`) and `RETURNING`
 * are spelled alike by both, so they need no entry here.
 */
export interface SqlDialect {
  /**
   * The placeholder of the parameter that is the `index`th (from 0) distinct one of its
   * statement, with the type it was given, if any.
   */
  placeholder(index: number, type: string | undefined): string;
  /** Whether each use of a parameter binds a value of its own (`?`) or all uses share one (`$n`). */
  readonly bindsEachUse: boolean;
  /** A value as the driver takes it. */
  encode(value: SqlValue): unknown;
  /** A text expression folded to lower case the way both stores agree on (all of Unicode). */
  fold(text: string): string;
  /** True when `needle` occurs in `haystack`. */
  contains(haystack: string, needle: string): string;
  /** The whole milliseconds from one time expression to another. */
  millisecondsBetween(from: string, to: string): string;
  /** A time expression moved on by a number of milliseconds. */
  plusMilliseconds(time: string, milliseconds: string): string;
  /**
   * The rows of `table`, with `columns`, that belong to the project `@project_id` or its
   * subprojects (or only the one of them `@only_project_id` names) and meet `clause` (a
   * condition on position, an ORDER BY and a LIMIT).
   */
  familyRows(table: string, columns: string, clause: string): string;
  /**
   * A correlated subquery kept as one probe per outer row. PostgreSQL may otherwise hash the
   * subquery's whole table once per statement, which it prefers when it last saw the table
   * small, and keep that plan while the table grows.
   */
  probedPerRow(subquery: string): string;
  /**
   * What a project's token list is at, read from its row (aliased `project`): its
   * `token_list_version`, which the triggers of migrations.ts move on with the changes they see,
   * and whatever else moves with the changes they leave to the dialect.
   */
  readonly tokenListVersion: string;
}

export type SqlValue = ColumnValue | readonly ColumnValue[];
export type SqlValues = Readonly<Record<string, SqlValue>>;

/** A statement compiled for one dialect: its text, and which named value each placeholder binds. */
export interface CompiledStatement {
  /** Unique per text: PostgreSQL prepares a named statement once per connection. */
  readonly name: string;
  readonly text: string;
  /** The driver's values for the statement, in placeholder order (see valueLister). */
  readonly listValues: (values: SqlValues) => unknown[];
}

const PARAMETER = /@([a-z_]+)(?:::([a-z_]+(?:\[\])?))?/g;

export function compileStatement(
  dialect: SqlDialect,
  name: string,
  sql: string,
): CompiledStatement {
  const distinct: string[] = [];
  const uses: string[] = [];
  const text = sql.replace(PARAMETER, (_match, parameter: string, type: string | undefined) => {
    let index = distinct.indexOf(parameter);
    if (index === -1) index = distinct.push(parameter) - 1;
    uses.push(parameter);
    return dialect.placeholder(index, type);
  });
  const parameters = dialect.bindsEachUse ? uses : distinct;
  return { name, text, listValues: valueLister(dialect, name, parameters) };
}

/**
 * The function that lists a statement's values in placeholder order, written for its own
 * parameters: `values.name` for each, a property load V8 keeps monomorphic for the statement.
 * Looked up by names from a list (`values[parameter]`), every value of every statement was a
 * megamorphic lookup, on every write. Parameter names are `[a-z_]+` (PARAMETER), so each is a
 * plain property name in the generated code.
 */
function valueLister(
  dialect: SqlDialect,
  name: string,
  parameters: readonly string[],
): (values: SqlValues) => unknown[] {
  const missing = (parameter: string) => {
    throw new Error(`statement ${name} was run without a value for @${parameter}`);
  };
  const reads = parameters.map(
    (parameter, index) =>
      `const v${index} = values.${parameter}; if (v${index} === undefined) missing("${parameter}");`,
  );
  const listed = parameters.map((_parameter, index) => `encode(v${index})`).join(", ");
  const makeLister = new Function(
    "encode",
    "missing",
    `return (values) => { ${reads.join(" ")} return [${listed}]; };`,
  ) as (
    encode: SqlDialect["encode"],
    missing: (parameter: string) => never,
  ) => (values: SqlValues) => unknown[];
  return makeLister(dialect.encode, missing);
}

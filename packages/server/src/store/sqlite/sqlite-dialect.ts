import type { SqlDialect, SqlValue } from "../sql/sql-dialect.js";

/**
 * SQLite binds `?` once per use, keeps times as epoch milliseconds and flags as 1 or 0, and
 * folds case with `unicode_lower` (registered by the store, since its own `lower` folds ASCII
 * only and both stores must agree).
 */
export const SQLITE_DIALECT: SqlDialect = {
  placeholder: () => "?",
  bindsEachUse: true,
  encode: (value: SqlValue) =>
    value instanceof Date ? value.getTime() : typeof value === "boolean" ? Number(value) : value,
  fold: (text) => `unicode_lower(${text})`,
  contains: (haystack, needle) => `instr(${haystack}, ${needle}) > 0`,
  millisecondsBetween: (from, to) => `(${to} - ${from})`,
  plusMilliseconds: (time, milliseconds) => `(${time} + ${milliseconds})`,
  familyRows: (table, columns, clause) =>
    `SELECT ${columns} FROM ${table}
     WHERE project_id IN (SELECT id FROM projects
       WHERE (id = @project_id OR parent_id = @project_id)
         AND (@only_project_id IS NULL OR id = @only_project_id))
       AND ${clause}`,
  probedPerRow: (subquery) => subquery,
  // No trigger moves the version on an insert (see migrations.ts): the project's last position
  // does. Positions only grow (AUTOINCREMENT) and transactions write one at a time, so they
  // commit in order and a list read never misses a position below the last it saw.
  tokenListVersion: `project.token_list_version || ' ' || coalesce(
    (SELECT max(position) FROM tokens WHERE project_id = project.id), 0)`,
};

import type { SqlDialect } from "../sql/sql-dialect.js";

/**
 * PostgreSQL numbers its parameters from $1, each bound once, and casts those whose type it
 * cannot infer; pg passes Dates and booleans as they are.
 */
export const POSTGRES_DIALECT: SqlDialect = {
  placeholder: (index, type) => `$${index + 1}${type ? `::${type}` : ""}`,
  bindsEachUse: false,
  encode: (value) => value,
  fold: (text) => `lower(${text})`,
  contains: (haystack, needle) => `strpos(${haystack}, ${needle}) > 0`,
  millisecondsBetween: (from, to) => `(extract(epoch FROM (${to} - ${from})) * 1000)::bigint`,
  plusMilliseconds: (time, milliseconds) =>
    `(${time} + (${milliseconds}) * interval '1 millisecond')`,
  // Member by member, so that each reads its own index in position order and stops at the
  // clause's LIMIT: a family's list then costs what its page does, not what the family holds.
  familyRows: (table, columns, clause) =>
    `SELECT found.* FROM projects AS member CROSS JOIN LATERAL (
       SELECT ${columns} FROM ${table} WHERE project_id = member.id AND ${clause}
     ) AS found
     WHERE (member.id = @project_id OR member.parent_id = @project_id)
       AND (@only_project_id::text IS NULL OR member.id = @only_project_id::text)`,
  // `OFFSET 0` keeps the planner from pulling the subquery up (into a hashed scan of its table).
  probedPerRow: (subquery) => `${subquery} OFFSET 0`,
  tokenListVersion: "project.token_list_version",
};

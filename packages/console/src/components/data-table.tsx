import type { ComponentChildren } from "preact";

interface DataTableProps {
  /** The table's class, which styles its columns. */
  readonly name: string;
  /** Read by screen readers only: the headings say what the table is for sighted users. */
  readonly caption: ComponentChildren;
  readonly columns: readonly string[];
  /** The rows. */
  readonly children: ComponentChildren;
}

/** A table of records: one column heading each, then a row per record. */
export function DataTable({ name, caption, columns, children }: DataTableProps) {
  return (
    <table class={name}>
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

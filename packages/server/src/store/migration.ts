/** One step of a store's schema; each implementation keeps its own list, version for version. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** How one node uses PostgreSQL (TOKENSPACE_PG_* settings). */
export interface PostgresOptions {
  /** Most connections one node holds. */
  readonly poolSize: number;
  /** Longest a statement may run before it is cancelled (and the request answered 503). */
  readonly statementTimeoutMs: number;
  /** Longest to wait for a connection. */
  readonly connectTimeoutMs: number;
}

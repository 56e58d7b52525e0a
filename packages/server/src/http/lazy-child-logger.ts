import type { FastifyBaseLogger } from "fastify";
import type { Bindings, ChildLoggerOptions } from "pino";

type Level = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/**
 * Fastify gives every request a child logger bound to its id, and pino builds a child's
 * bindings (serialized and redacted) when it is made: ≈5 % of the CPU of a cached GET or verify.
 * Most requests never log through it (their one line is RequestLog's), so this child is made on
 * first use and the rest pay nothing.
 *
 * Fastify is given the server's logger wrapped in one (`over`), whose children are lazy in turn,
 * rather than a child logger factory of its own: Fastify checks every logger a custom factory
 * makes for its seven methods, on every request.
 */
export class LazyChildLogger implements FastifyBaseLogger {
  #made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  /** A logger that logs as `logger` does and whose children are made on first use. */
  static over(logger: FastifyBaseLogger): FastifyBaseLogger {
    const standing = new LazyChildLogger(logger, {}, {});
    standing.#made = logger;
    return standing;
  }

  get #logger(): FastifyBaseLogger {
    if (this.#made === undefined) {
      // A lazy parent is made first, if it was not yet.
      const parent = this.parent instanceof LazyChildLogger ? this.parent.#logger : this.parent;
      this.#made = parent.child(this.bindings, this.options);
    }
    return this.#made;
  }

  get level(): string {
    return this.#made?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: string) {
    this.#logger.level = level;
  }

  child(bindings: Bindings, options: ChildLoggerOptions = {}): FastifyBaseLogger {
    return new LazyChildLogger(this, bindings, options);
  }

  fatal(...line: unknown[]): void {
    this.#write("fatal", line);
  }

  error(...line: unknown[]): void {
    this.#write("error", line);
  }

  warn(...line: unknown[]): void {
    this.#write("warn", line);
  }

  info(...line: unknown[]): void {
    this.#write("info", line);
  }

  debug(...line: unknown[]): void {
    this.#write("debug", line);
  }

  trace(...line: unknown[]): void {
    this.#write("trace", line);
  }

  silent(...line: unknown[]): void {
    this.#write("silent", line);
  }

  #write(level: Level, line: unknown[]): void {
    const logger = this.#logger;
    Reflect.apply(logger[level], logger, line);
  }
}

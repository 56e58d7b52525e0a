import type { FastifyBaseLogger } from "fastify";
import type { Bindings, ChildLoggerOptions, LogFn } from "pino";

/**
 * Fastify gives every request a child logger bound to its id, and pino builds a child's
 * bindings (serialized and redacted) when it is made: ≈5 % of the CPU of a cached GET or verify.
 * Most requests never log through it (their one line is RequestLog's), so this child is made on
 * first use and the rest pay nothing.
 */
const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export class LazyChildLogger implements FastifyBaseLogger {
  declare fatal: LogFn;
  declare error: LogFn;
  declare warn: LogFn;
  declare info: LogFn;
  declare debug: LogFn;
  declare trace: LogFn;
  declare silent: LogFn;
  #made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  static factory(
    this: void,
    parent: FastifyBaseLogger,
    bindings: Bindings,
    options: ChildLoggerOptions,
  ): FastifyBaseLogger {
    return new LazyChildLogger(parent, bindings, options);
  }

  get #logger(): FastifyBaseLogger {
    this.#made ??= this.parent.child(this.bindings, this.options);
    return this.#made;
  }

  get level(): string {
    return this.#made?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: string) {
    this.#logger.level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger.child(bindings, options);
  }

  static {
    for (const level of LEVELS) {
      LazyChildLogger.prototype[level] = function (this: LazyChildLogger, ...line: unknown[]) {
        const logger = this.#logger;
        Reflect.apply(logger[level], logger, line);
      } as LogFn;
    }
  }
}

import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';

/** pino's log methods are overloaded; a forwarder passes the arguments on as they came. */
function write(logger: Logger, level: Level, args: unknown[]): void {
  (logger[level] as (...values: unknown[]) => void).apply(logger, args);
}

/**
 * A request's logger (`request.log`) that builds its pino child on first use. Fastify
 * makes one child per request, bound to the request id, and pino serialises the bindings
 * through the redaction for each: a few µs on every verify, which mostly logs nothing
 * (bench/README.md). Whether a level is enabled is the parent's answer when the child
 * keeps its level, so asking builds nothing either.
 */
export class RequestLogger {
  private built: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get logger(): Logger {
    this.built ??= this.parent.child(this.bindings, this.options);
    return this.built;
  }

  get level(): string {
    return this.options.level ?? this.parent.level;
  }

  isLevelEnabled(level: string): boolean {
    return this.options.level === undefined ? this.parent.isLevelEnabled(level) : this.logger.isLevelEnabled(level);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.logger.child(bindings, options);
  }

  fatal(...args: unknown[]): void {
    write(this.logger, 'fatal', args);
  }

  error(...args: unknown[]): void {
    write(this.logger, 'error', args);
  }

  warn(...args: unknown[]): void {
    write(this.logger, 'warn', args);
  }

  info(...args: unknown[]): void {
    write(this.logger, 'info', args);
  }

  debug(...args: unknown[]): void {
    write(this.logger, 'debug', args);
  }

  trace(...args: unknown[]): void {
    write(this.logger, 'trace', args);
  }

  silent(): void {}
}

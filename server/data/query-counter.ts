/**
 * Query accounting. MikroORM reports every statement it sends (including
 * BEGIN, COMMIT and the `set_config` that stages the tenant) to its logger's
 * `logQuery`, whether or not debug output is on; a logger subclass counts
 * them there. Counts are kept in total and per scope: a scope is a string the
 * tenant context stamps into its forks' `loggerContext`, so one socket's
 * statements can be told apart from another's.
 */
import { DefaultLogger, type LogContext, type Logger, type LoggerOptions } from '@mikro-orm/core';

/** The `loggerContext` key that carries a query scope. */
export const QUERY_SCOPE_KEY = 'liveryQueryScope';

export class QueryCounter {
  #total = 0;
  readonly #byScope = new Map<string, number>();
  #nextScope = 0;

  record(scope: unknown): void {
    this.#total++;
    if (typeof scope === 'string') {
      this.#byScope.set(scope, (this.#byScope.get(scope) ?? 0) + 1);
    }
  }

  /** Statements sent through the ORM since it was created. */
  total(): number {
    return this.#total;
  }

  /** Statements sent by EntityManagers carrying this scope. */
  count(scope: string): number {
    return this.#byScope.get(scope) ?? 0;
  }

  newScope(label: string): string {
    return `${label}#${++this.#nextScope}`;
  }

  /** Forgets a scope's count, so long-lived processes do not grow the map per socket. */
  release(scope: string): void {
    this.#byScope.delete(scope);
  }
}

export class CountingLogger extends DefaultLogger {
  readonly #counter: QueryCounter;

  constructor(options: LoggerOptions, counter: QueryCounter) {
    super(options);
    this.#counter = counter;
  }

  override logQuery(context: { query: string } & LogContext): void {
    // slow-query reports re-send a statement already counted
    if (context.namespace !== 'slow-query') {
      this.#counter.record(context[QUERY_SCOPE_KEY]);
    }
    super.logQuery(context);
  }
}

export function countingLoggerFactory(counter: QueryCounter): (options: LoggerOptions) => Logger {
  return options => new CountingLogger(options, counter);
}

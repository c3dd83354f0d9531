/**
 * Async work as a view's state and template see it (D54). `this.assignAsync('stats', fn)` keeps
 * `state.stats` an `AsyncResult`: loading while `fn` runs, then ok with its result or failed with
 * an error code. It is plain JSON data, saved with the rest of the state.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The state of one piece of async work: `{% if stats.loading %}`, `stats.ok`, `stats.result`, `stats.failed`. */
export interface AsyncResult<T> {
  /** True while the work runs (also when it runs again: `ok` and `result` then keep the last success). */
  readonly loading: boolean;
  /** True once the work has succeeded. */
  readonly ok: boolean;
  /** What the work returned the last time it succeeded; `null` before that. */
  readonly result: T | null;
  /** The error code of the last run if it failed (`LV_ASYNC_FAILED`, or the Livery error's own code); `null` otherwise. */
  readonly failed: string | null;
}

export const AsyncResult = {
  /** The state before the work finished the first time: what `mount` returns for the key. */
  loading<T>(): AsyncResult<T> {
    return { loading: true, ok: false, result: null, failed: null };
  },
};

/** How `startAsync` work ended, as `handleAsync(name, outcome)` receives it. */
export type AsyncOutcome<T = unknown> = { readonly ok: true; readonly result: T } | { readonly ok: false; readonly error: unknown };

/** The keys of a state whose values are `AsyncResult`s. */
export type AsyncKeys<S> = { [K in keyof S]: S[K] extends AsyncResult<unknown> ? K : never }[keyof S] & string;
/** What the work for an `AsyncResult<T>` key returns. */
export type AsyncValue<R> = R extends AsyncResult<infer T> ? T : never;

/** The result to show while the work runs again: loading, the last success kept. */
export function reloading(previous: unknown): AsyncResult<unknown> {
  const prev = isAsyncResult(previous) ? previous : undefined;
  return { loading: true, ok: prev?.ok ?? false, result: prev?.result ?? null, failed: null };
}

export function succeeded(result: unknown): AsyncResult<unknown> {
  return { loading: false, ok: true, result: result === undefined ? null : result, failed: null };
}

export function failed(previous: unknown, code: string): AsyncResult<unknown> {
  const prev = isAsyncResult(previous) ? previous : undefined;
  return { loading: false, ok: prev?.ok ?? false, result: prev?.result ?? null, failed: code };
}

function isAsyncResult(value: unknown): value is AsyncResult<unknown> {
  return value !== null && typeof value === 'object' && 'loading' in value && 'ok' in value && 'result' in value;
}

/**
 * The async work running now, so `this.db` inside it is its own EntityManager fork: the view's
 * events go on meanwhile and must not share an identity map or unit of work with it.
 */
export const ASYNC_WORK = new AsyncLocalStorage<{ readonly view: object; em?: unknown }>();

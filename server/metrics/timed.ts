/**
 * Times an object's asynchronous methods without changing what it is (used on the state
 * backend, so load and save latencies are measured whatever backend is configured or passed in,
 * and whatever methods it grows later).
 *
 * The result inherits from the target (`instanceof` still holds, fields read through) and has
 * own bound copies of its methods — timed where `buckets` gives a histogram — and of its
 * getters, so private fields keep working. Not a Proxy: the runtime reads `backend.writeThrough`
 * on every event, and a Proxy trap costs tens of nanoseconds per read where this costs none.
 */
import type { Buckets } from './buckets.ts';

export function timeCalls<T extends object>(target: T, buckets: (method: string) => Buckets | undefined): T {
  const wrapper = Object.create(target) as Record<PropertyKey, unknown>;
  const seen = new Set<PropertyKey>(['constructor']);
  for (let o: object | null = target; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const key of Reflect.ownKeys(o)) {
      if (seen.has(key)) continue;
      seen.add(key);
      const descriptor = Object.getOwnPropertyDescriptor(o, key)!;
      if (descriptor.get !== undefined) {
        Object.defineProperty(wrapper, key, { get: () => (target as Record<PropertyKey, unknown>)[key], enumerable: descriptor.enumerable });
      } else if (typeof descriptor.value === 'function') {
        const method = descriptor.value as (...args: unknown[]) => unknown;
        const histogram = typeof key === 'string' ? buckets(key) : undefined;
        wrapper[key] = histogram === undefined ? method.bind(target) : timed(method, target, histogram);
      }
    }
  }
  return wrapper as T;
}

function timed(method: (...args: unknown[]) => unknown, target: object, histogram: Buckets): (...args: unknown[]) => unknown {
  return (...args) => {
    const start = performance.now();
    const result = method.apply(target, args);
    if (!(result instanceof Promise)) return result;
    return result.finally(() => histogram.observe(performance.now() - start));
  };
}

import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryStateBackend, memoryStateSize, stateKey } from '../../server/state/index.ts';
import { stateBackendContract } from './state-backend.case.ts';

stateBackendContract(t, (options) => new MemoryStateBackend(options));

t.test('memory: bounded, least recently used evicted first', async (t) => {
  const backend = new MemoryStateBackend({ ttlSeconds: 60, maxEntries: 3 });
  for (const id of ['a', 'b', 'c']) await backend.set(stateKey('t', id), id);
  await backend.get(stateKey('t', 'a')); // a is now the most recently used
  await backend.set(stateKey('t', 'd'), 'd');
  t.equal(backend.size, 3, 'never more than maxEntries');
  t.equal(await backend.get(stateKey('t', 'b')), null, 'b, least recently used, was evicted');
  t.equal(await backend.get(stateKey('t', 'a')), 'a');
  t.equal(await backend.get(stateKey('t', 'd')), 'd');
});

/** `count` states of `chars` characters for a tenant; returns their keys. */
async function fill(backend: MemoryStateBackend, tenant: string, count: number, chars: number, prefix = 'p'): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = stateKey(tenant, `${prefix}${i}`);
    await backend.set(key, 'x'.repeat(chars));
    keys.push(key);
  }
  return keys;
}

t.test('memory: bounded by bytes — a flood of states never takes more than maxMemoryBytes', async (t) => {
  const maxMemoryBytes = 64 * 1024;
  const backend = new MemoryStateBackend({ ttlSeconds: 3600, maxEntries: 100_000, maxMemoryBytes });
  t.teardown(() => backend.close());
  const keys = await fill(backend, 'acme', 1000, 2000);
  const each = memoryStateSize(keys[0]!, 'x'.repeat(2000));
  t.ok(backend.bytes <= maxMemoryBytes, `${backend.bytes} bytes held, bound ${maxMemoryBytes}`);
  t.equal(backend.size, Math.floor(maxMemoryBytes / each), 'as many states as fit, not 1,000');
  t.equal(await backend.get(keys[0]!), null, 'the least recently used went first');
  t.equal(await backend.get(keys[999]!), 'x'.repeat(2000), 'the newest is kept');
  for (const key of keys) await backend.delete(key);
  t.equal(backend.bytes, 0, 'the byte count follows deletes');
  t.equal(backend.size, 0);
});

t.test('memory: one tenant\'s flood evicts its own states, never another tenant\'s', async (t) => {
  const backend = new MemoryStateBackend({ ttlSeconds: 3600, maxEntries: 100, maxMemoryBytes: 64 * 1024 });
  t.teardown(() => backend.close());
  const globex = await fill(backend, 'globex', 5, 500, 'user');
  await fill(backend, 'acme', 1000, 2000); // over the byte bound
  await fill(backend, 'acme', 1000, 10, 'tiny'); // and over the entry bound
  for (const key of globex) t.equal(await backend.get(key), 'x'.repeat(500), `${key} survived`);
  t.ok(backend.size <= 100 && backend.bytes <= 64 * 1024, `${backend.size} entries, ${backend.bytes} bytes`);
  t.equal(backend.usage('globex').entries, 5);
  t.equal(backend.usage('acme').entries, backend.size - 5, 'acme paid for its own flood');
});

t.test('memory: when every tenant is over its share, the one holding the most is evicted first', async (t) => {
  const backend = new MemoryStateBackend({ ttlSeconds: 3600, maxEntries: 10, maxMemoryBytes: 1024 * 1024 });
  t.teardown(() => backend.close());
  await fill(backend, 'a', 4, 10);
  await fill(backend, 'b', 6, 10);
  await backend.set(stateKey('a', 'new'), '1'); // 11 entries: b holds the most
  t.same([backend.usage('a').entries, backend.usage('b').entries], [5, 5]);
  t.equal(await backend.get(stateKey('b', 'p0')), null, 'b lost its least recently used');
});

t.test('memory: a set may name a shorter TTL (the pre-join TTL); a later set without one gets the full TTL', async (t) => {
  const backend = new MemoryStateBackend({ ttlSeconds: 3600, maxEntries: 100 });
  t.teardown(() => backend.close());
  const page = stateKey('acme', 'never-joined');
  const joined = stateKey('acme', 'joined');
  await backend.set(page, '1', { ttlSeconds: 1 });
  await backend.set(joined, '2', { ttlSeconds: 1 });
  await backend.set(joined, '2'); // saved by the live view: full TTL
  await sleep(1200);
  backend.purgeStale();
  t.equal(backend.size, 1, 'the page that never joined is gone, and its memory with it');
  t.equal(backend.bytes, memoryStateSize(joined, '2'));
  t.equal(await backend.get(page), null);
  t.equal(await backend.get(joined), '2');
});

t.test('memory: dump and load keep tenants, values and bounds', async (t) => {
  const backend = new MemoryStateBackend({ ttlSeconds: 3600, maxEntries: 100 });
  t.teardown(() => backend.close());
  await backend.set(stateKey('acme', 'a'), '1');
  await backend.set(stateKey('globex', 'b'), '2', { ttlSeconds: 60 });
  const next = new MemoryStateBackend({ ttlSeconds: 3600, maxEntries: 100 });
  t.teardown(() => next.close());
  next.load(backend.dump());
  t.equal(await next.get(stateKey('acme', 'a')), '1');
  t.equal(await next.get(stateKey('globex', 'b')), '2');
  t.equal(next.bytes, backend.bytes);
});

/**
 * The contract every StateBackend implementation passes (memory now, Redis later): each
 * implementation's test file is a few lines that call this with a factory.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';
import { stateKey, type StateBackend } from '../../server/state/index.ts';

export interface BackendFactory {
  (options: { ttlSeconds: number; maxEntries: number }): Promise<StateBackend> | StateBackend;
}

export function stateBackendContract(t: Test, create: BackendFactory): void {
  t.test('keys carry the tenant as a hash tag', async (t) => {
    t.equal(stateKey('acme', 'abc'), 'lv:{acme}:view:abc');
  });

  t.test('set, get, delete round-trip exactly', async (t) => {
    const backend = await create({ ttlSeconds: 60, maxEntries: 100 });
    t.teardown(() => backend.close());
    const key = stateKey('acme', `i-${Math.random()}`);
    t.equal(await backend.get(key), null, 'absent key reads null');
    const value = JSON.stringify({ count: 7, items: [{ id: 1, name: 'ü ✓' }] });
    await backend.set(key, value);
    t.equal(await backend.get(key), value);
    await backend.set(key, '{"count":8}');
    t.equal(await backend.get(key), '{"count":8}', 'set overwrites');
    await backend.delete(key);
    t.equal(await backend.get(key), null, 'deleted');
  });

  t.test('saves issued together, for several tenants, are each stored (one turn\'s batch)', async (t) => {
    const backend = await create({ ttlSeconds: 60, maxEntries: 100 });
    t.teardown(() => backend.close());
    const keys = ['acme', 'acme', 'globex'].map((tenant) => stateKey(tenant, `i-${Math.random()}`));
    for (const key of keys) await backend.set(key, '{"n":0}');
    const owners = await Promise.all(keys.map(async (key) => (await backend.claim(key)).owner));
    const stored = await Promise.all(keys.map((key, i) => backend.save(key, JSON.stringify({ n: i + 1, text: 'é ✓ "quoted" \\ back' }), owners[i])));
    t.same(stored, [true, true, true]);
    for (const [i, key] of keys.entries()) t.same(JSON.parse((await backend.get(key))!), { n: i + 1, text: 'é ✓ "quoted" \\ back' }, 'stored byte for byte');
    for (const key of keys) await backend.delete(key);
  });

  t.test('tenants never share a key', async (t) => {
    const backend = await create({ ttlSeconds: 60, maxEntries: 100 });
    t.teardown(() => backend.close());
    const id = `i-${Math.random()}`;
    await backend.set(stateKey('acme', id), '"acme"');
    t.equal(await backend.get(stateKey('globex', id)), null, 'same instance id under another tenant reads nothing');
  });

  t.test('entries expire after the TTL and reads refresh it', async (t) => {
    const backend = await create({ ttlSeconds: 1, maxEntries: 100 });
    t.teardown(() => backend.close());
    const kept = stateKey('acme', `kept-${Math.random()}`);
    const dropped = stateKey('acme', `dropped-${Math.random()}`);
    await backend.set(kept, '1');
    await backend.set(dropped, '2');
    for (let i = 0; i < 4; i++) {
      await sleep(400);
      t.equal(await backend.get(kept), '1', `read ${i + 1} keeps the entry alive`);
    }
    t.equal(await backend.get(dropped), null, 'an entry nobody read expired');
  });
}

/**
 * RedisStateBackend's owner tokens (D34) and per-tenant byte budget (D36), on the shared Redis.
 * Two backends on two connections stand for two processes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { stateUsageKeys } from '../../server/keys.ts';
import { REDIS_ENTRY_OVERHEAD, RedisStateBackend, stateKey, StateQuotaError } from '../../server/state/index.ts';
import { deleteKeys, sharedConnection, uniqueTenant } from '../redis/shared-redis.ts';

const tenant = uniqueTenant('lvtest-owner');
const cleaner = sharedConnection(t, 'owner-cleanup');
t.teardown(() => deleteKeys(cleaner, `lv:{${tenant}}:*`));
const one = new RedisStateBackend({ redis: sharedConnection(t, 'owner-1'), ttlSeconds: 100 });
const two = new RedisStateBackend({ redis: sharedConnection(t, 'owner-2'), ttlSeconds: 100 });

t.test('a second claim fences the first owner: its saves are refused and store nothing', async (t) => {
  const key = stateKey(tenant, 'fenced');
  await one.set(key, '{"count":0}');
  const first = await one.claim(key);
  t.same([first.value, first.previous], ['{"count":0}', null], 'the first join gets the first paint\'s state; nobody owned it');
  t.ok(await one.save(key, '{"count":2}', first.owner), 'the owner saves');

  const second = await two.claim(key);
  t.same([second.value, second.previous], ['{"count":2}', first.owner], 'the takeover gets the last save, and names whom it displaced');
  t.not(second.owner, first.owner);
  t.ok(await two.save(key, '{"count":7}', second.owner), 'the new owner saves');

  t.equal(await one.save(key, '{"count":2}', first.owner), false, 'the stale copy\'s save is refused');
  t.equal(await one.get(key), '{"count":7}', 'and the newer state stands');
  t.same([await one.keep(key, first.owner), await one.keep(key, second.owner)], ['taken', 'kept'], 'a live owner\'s refresh tells the stale copy');
});

t.test('an owner whose state vanished (Redis lost it, or it expired) writes it again', async (t) => {
  const key = stateKey(tenant, 'vanished');
  const { owner } = await one.claim(key);
  await cleaner.del(key);
  t.equal(await one.keep(key, owner), 'absent', 'the refresh finds it gone');
  t.ok(await one.save(key, '{"count":5}', owner));
  t.equal(await two.get(key), '{"count":5}');
  t.equal(await one.keep(key, owner), 'kept', 'and owns it again');
});

t.test('a claim of an absent instance still takes it: a racing join elsewhere is fenced off', async (t) => {
  const key = stateKey(tenant, 'absent');
  const early = await one.claim(key);
  const late = await two.claim(key);
  t.same([early.value, late.value, late.previous], [null, null, early.owner]);
  t.equal(await one.save(key, '{"n":1}', early.owner), false);
  t.ok(await two.save(key, '{"n":2}', late.owner));
});

t.test('budget: a tenant\'s stored bytes are counted, growth past the budget refused, the last state kept', async (t) => {
  const budgeted = uniqueTenant('lvtest-budget');
  t.teardown(() => deleteKeys(cleaner, `lv:{${budgeted}}:*`));
  const cost = (json: string) => Buffer.byteLength(json) + REDIS_ENTRY_OVERHEAD;
  const a = stateKey(budgeted, 'a');
  const b = stateKey(budgeted, 'b');
  const small = JSON.stringify({ text: 'x'.repeat(100) });
  const large = JSON.stringify({ text: 'ü'.repeat(400) }); // 800 UTF-8 bytes: counted as bytes, not characters
  const budget = cost(small) + cost(large);

  await one.set(a, small, { budget });
  t.equal(await one.usage(budgeted), cost(small), 'a first paint is counted');
  const { owner } = await one.claim(a);
  t.ok(await one.save(a, large, owner, budget), 'growth within the budget');
  t.equal(await one.usage(budgeted), cost(large), 'a save replaces its state\'s count');
  await one.set(b, small, { budget });
  t.equal(await one.usage(budgeted), budget, 'exactly at the budget');

  const error = await one.save(a, JSON.stringify({ text: 'ü'.repeat(401) }), owner, budget).catch((e: unknown) => e);
  t.type(error, StateQuotaError);
  t.equal((error as StateQuotaError).code, 'LV_STATE_QUOTA_EXCEEDED');
  t.equal(await one.get(a), large, 'the refused save stored nothing: the last good state stays');
  await t.rejects(two.set(stateKey(budgeted, 'c'), small, { budget }), StateQuotaError, 'a first paint over the budget is refused too, from any process');
  t.ok(await one.save(a, large, owner, budget), 'a save that does not grow the state passes at the budget');
  t.ok(await one.save(a, small, owner, budget - 1), 'so does one that shrinks it, even over a lowered budget');

  await one.delete(b);
  t.equal(await one.usage(budgeted), cost(small), 'a delete gives its bytes back');
  const other = uniqueTenant('lvtest-budget-other');
  t.teardown(() => deleteKeys(cleaner, `lv:{${other}}:*`));
  await one.set(stateKey(other, 'a'), large, { budget: cost(large) });
  t.equal(await one.usage(other), cost(large), 'each tenant has its own count');
  t.equal(await one.usage(budgeted), cost(small), 'untouched by another tenant\'s');
});

t.test('budget: expired states stop counting once the tenant writes again (keys expire on their own)', async (t) => {
  const expiring = uniqueTenant('lvtest-expiry');
  t.teardown(() => deleteKeys(cleaner, `lv:{${expiring}}:*`));
  const value = JSON.stringify({ text: 'y'.repeat(500) });
  const budget = 2 * (value.length + REDIS_ENTRY_OVERHEAD);
  await one.set(stateKey(expiring, 'p1'), value, { ttlSeconds: 1, budget });
  await one.set(stateKey(expiring, 'p2'), value, { ttlSeconds: 1, budget });
  await t.rejects(one.set(stateKey(expiring, 'p3'), value, { budget }), StateQuotaError, 'full while the two pages\' states live');
  await sleep(1300);
  t.equal(await cleaner.exists(stateKey(expiring, 'p1')), 0, 'Redis expired them');
  await one.set(stateKey(expiring, 'p3'), value, { budget });
  t.equal(await one.usage(expiring), value.length + REDIS_ENTRY_OVERHEAD, 'the next write swept the expired ones out of the count');
  const [bytes, expiries] = stateUsageKeys(expiring);
  t.same((await cleaner.hkeys(bytes)).sort(), ['~total', stateKey(expiring, 'p3')].sort(), 'only the live state is counted');
  t.ok((await cleaner.pttl(expiries)) > 90_000, 'the accounting keys live as long as the longest-lived state');
});

t.test('one turn\'s saves go as one script, each still checked on its own owner and budget', async (t) => {
  const keys = ['a', 'b', 'c'].map((name) => stateKey(tenant, `batch-${name}`));
  const owners: string[] = [];
  for (const key of keys) {
    await one.set(key, '{"n":0}');
    owners.push((await one.claim(key)).owner);
  }
  await two.claim(keys[1]); // b is taken over elsewhere
  const outcomes = await Promise.allSettled([
    one.save(keys[0], '{"n":1}', owners[0]),
    one.save(keys[1], '{"n":1}', owners[1]),
    one.save(keys[2], JSON.stringify({ n: 'x'.repeat(4096) }), owners[2], 1),
  ]);
  t.same(outcomes[0], { status: 'fulfilled', value: true }, 'the owner\'s save stored');
  t.same(outcomes[1], { status: 'fulfilled', value: false }, 'the stale copy\'s refused');
  t.equal(outcomes[2].status, 'rejected');
  t.type((outcomes[2] as PromiseRejectedResult).reason, StateQuotaError, 'the one over its budget refused with its own error');
  t.same(await Promise.all(keys.map((key) => one.get(key))), ['{"n":1}', '{"n":0}', '{"n":0}'], 'each as its own outcome says');
});

t.test('a save restarts the TTL only once a third of it has passed, or when asked (a close)', async (t) => {
  const key = stateKey(tenant, 'ttl-rule');
  await one.set(key, '{"n":0}');
  const { owner } = await one.claim(key);
  await cleaner.pexpire(key, 80_000); // 80 of 100 s left: less than a third has passed
  t.ok(await one.save(key, '{"n":1}', owner));
  const kept = await cleaner.pttl(key);
  t.ok(kept <= 80_000 && kept > 70_000, `left as it was: ${kept}`);
  await cleaner.pexpire(key, 60_000); // more than a third has passed
  t.ok(await one.save(key, '{"n":2}', owner));
  t.ok((await cleaner.pttl(key)) > 90_000, 'restarted');
  await cleaner.pexpire(key, 80_000);
  t.ok(await one.save(key, '{"n":3}', owner, undefined, { refresh: true }));
  t.ok((await cleaner.pttl(key)) > 90_000, 'asked: restarted');
  const expiries = stateUsageKeys(tenant)[1];
  const recorded = Number(await cleaner.zscore(expiries, key));
  const [seconds, micros] = (await cleaner.time()) as [number, number];
  const expiresAt = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) + (await cleaner.pttl(key));
  t.ok(Math.abs(recorded - expiresAt) < 1000, 'the expiry recorded for the byte count is the key\'s own');
});

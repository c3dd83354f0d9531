/**
 * Three processes on a private single Redis (three-processes.case.ts has the shared scenarios):
 * plus a Redis restart under load that loses no acknowledged state, and an unreachable Redis
 * failing startup.
 */
import { once } from 'node:events';
import t from 'tap';
import { getPage, httpGet, LiveClient } from '../live/harness.ts';
import { startOwnRedis } from '../redis/own-redis.ts';
import { crossProcessScenarios, startProcesses, until } from './three-processes.case.ts';

const redis = await startOwnRedis(t);
const ps = await startProcesses(t, redis.url);
const { B, C, base, host, openView } = ps;
await crossProcessScenarios(t, ps);

t.test('Redis restarted under load: sessions continue, acknowledged state is not lost, the outage shows', async (t) => {
  const { client, page } = await openView(B, 'acme', '/counter');
  let acknowledged = 0;
  for (let i = 0; i < 5; i++) {
    const reply = await client.event(1, 'inc');
    acknowledged = Number((reply[4] as Record<string, string>)['0']);
  }
  await redis.kill();
  await ps.healthy(B, 503);
  const health = JSON.parse((await httpGet(`${base(B)}/healthz`, {})).body);
  t.match(health, { status: 'degraded', redis: { status: 'down' } }, '/healthz shows the outage');
  // An event during the outage waits for Redis (bounded) rather than being acknowledged unsaved.
  const during = client.nextRef();
  client.send([2, 'e', during, 1, 'inc', {}]);
  await redis.start();
  const reply = await until(client, (f) => f[2] === during, 'the reply to the event sent during the outage');
  t.equal(reply[1], 'r', 'acknowledged once Redis was back and had stored it');
  acknowledged = Number((reply[4] as Record<string, string>)['0']);
  await ps.healthy(B);
  t.match(B.output(), /Redis|redis/, 'the outage was logged');
  // Redis lost everything (no persistence); the live view still holds its state and writes it back.
  const after = await client.event(1, 'inc');
  t.equal((after[4] as Record<string, string>)['0'], String(acknowledged + 1), 'the session continued from its acknowledged state');
  await client.close();
  // Redis lost the sessions too: the page replaces the id it no longer knows with a fresh one
  // (never adopting an unknown id, docs/sessions.md), and the socket uses that.
  const fresh = await getPage(base(C), '/counter', page.cookie, host('acme', C));
  t.not(fresh.cookie, page.cookie, 'the lost session is replaced by a fresh one');
  const again = await LiveClient.open(base(C), { cookie: fresh.cookie, host: host('acme', C) });
  t.teardown(() => again.close());
  const rejoin = await again.join(1, fresh.view, fresh.token);
  t.same(rejoin.slice(0, 2), [2, 'r'], 'a new page on another process joins fine after the restart');
});

t.test('Redis unreachable at startup: a startup check error, not a fallback', async (t) => {
  const child = ps.spawnApp({ REDIS_URL: 'redis://127.0.0.1:1' });
  let out = '';
  child.stdout!.on('data', (chunk) => { out += chunk; });
  child.stderr!.on('data', (chunk) => { out += chunk; });
  const [code] = await once(child, 'exit');
  t.equal(code, 1, 'exits non-zero');
  t.match(out, /livery\.C019/);
  t.notMatch(out, 'Livery example app:', 'never started serving');
});

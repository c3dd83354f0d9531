/**
 * "Resolved once per socket": 1,000 events and 100 ticks on one tenant socket spend no SQL at all
 * — nothing on resolving the tenant (the djust connection-storm incident was exactly this cost,
 * paid per event) — and, with the Redis backends, exactly one Redis command per state change
 * (the write-through save), nothing else.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { seedTestData } from '../data/fixtures/seed.ts';
import { LiveView, route } from '../../server/index.ts';
import { postgresFactory } from '../data/fixtures.ts';
import { getPage, LiveClient, startServer } from '../live/harness.ts';

class TickingCounter extends LiveView<{ count: number; ticks: number }> {
  static template = 'ticking-counter.html';
  static tickInterval = 10;
  static events = { inc: null };
  mount() { return { count: 0, ticks: 0 }; }
  inc() { this.state.count += 1; }
  tick() { this.state.ticks += 1; }
}

const fixture = await postgresFactory();
t.teardown(() => fixture.cleanup());
await seedTestData(fixture.db);
for (const backend of ['memory', 'redis'] as const) {
t.test(`${backend} backends: 1,000 events and 100 ticks on one socket`, async (t) => {
  const s = await startServer({
    routes: [route('/count', TickingCounter)],
    templatesDir: fileURLToPath(new URL('./cost-fixtures/', import.meta.url)),
    database: fixture.db,
    tenancy: { resolver: 'subdomain', mainDomain: 'localhost' },
    socket: { ratePerSecond: 1_000_000, rateBurst: 1_000_000 },
    state: { backend },
    pubsub: backend,
  });
  t.teardown(() => s.close());
  const redisCommands = s.server.app.livery.backends.redisCommands;
  const host = `acme.localhost:${s.port}`;
  const page = await getPage(s.url, '/count', undefined, host);
  t.match(page.html, '<h1>Acme Corp</h1>', 'the page resolved acme');

  const beforeJoin = fixture.db.queryCount();
  const client = await LiveClient.open(s.url, { cookie: page.cookie, host });
  t.teardown(() => client.close());
  const joined = await client.join(1, page.view, page.token);
  t.same(joined.slice(0, 2), [2, 'r']);
  t.ok(fixture.db.queryCount() - beforeJoin <= 4, 'the join costs at most one lookup (one statement in its transaction), here a cache hit');

  const before = fixture.db.queryCount();
  const commandsBefore = redisCommands();
  let ticks = 0;
  let replies = 0;
  for (let i = 1; i <= 1000; i++) client.send([2, 'e', 100 + i, 1, 'inc', {}]);
  while (replies < 1000 || ticks < 100) {
    const frame = await client.next(10_000);
    if (frame[1] === 'r') replies++;
    else if (frame[1] === 'd') ticks++;
    else t.fail(`unexpected frame ${JSON.stringify(frame)}`);
  }
  t.equal(replies, 1000, '1,000 events answered');
  t.ok(ticks >= 100, `${ticks} tick pushes`);
  t.equal(fixture.db.queryCount() - before, 0, 'no SQL statement was sent for any event or tick');
  // Each event and each tick changed state, so each costs exactly its write-through save; a tick
  // landing between the last frame read and the count may add one or two.
  const commands = redisCommands() - commandsBefore;
  if (backend === 'memory') t.equal(commands, 0, 'no Redis at all');
  else t.ok(commands >= replies + ticks && commands <= replies + ticks + 20, `${commands} Redis commands for ${replies} events + ${ticks} ticks: one save each (plus at most a few ticks racing the count)`);
});
}

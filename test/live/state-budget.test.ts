/**
 * A tenant's budget for view state stored in Redis (D36). The attack: one tenant's page loads and
 * growing lists fill Redis, which every tenant shares. Now each tenant's stored bytes are counted
 * in the same scripts that write them; a first paint that would go over the budget is answered
 * 429, a change that would grow the stored state past it fails like a throwing handler (rolled
 * back, LV_STATE_QUOTA_EXCEEDED), and the last good state is what a reconnect resumes.
 */
import t from 'tap';
import { z } from 'zod';
import { LiveView, route } from '../../server/index.ts';
import { REDIS_ENTRY_OVERHEAD } from '../../server/state/index.ts';
import { startOwnRedis } from '../redis/own-redis.ts';
import { getPage, LiveClient, startServer, type Frame } from './harness.ts';

interface Row { id: number; name: string }

class NotesView extends LiveView<{ rows: Row[] }> {
  static template = 'list.html';
  static events = { add: z.object({ name: z.string() }), clear: null };
  mount() { return { rows: [] as Row[] }; }
  add({ name }: { name: string }) { this.state.rows.push({ id: this.state.rows.length + 1, name }); }
  clear() { this.state.rows = []; }
}

const redis = await startOwnRedis(t);
const PAGE = JSON.stringify({ rows: [] }).length + REDIS_ENTRY_OVERHEAD; // what one page's state is counted as
const budget = 6 * PAGE;
const s = await startServer({
  routes: [route('/notes', NotesView)], redisUrl: redis.url, pubsub: 'redis',
  state: { backend: 'redis', maxBytes: 4096, tenantMaxBytes: budget + 4096 },
});
t.teardown(() => s.close());

const ask = async (client: LiveClient, name: string, payload: unknown): Promise<Frame> => {
  const ref = client.nextRef();
  client.send([2, 'e', ref, 1, name, payload]);
  for (;;) {
    const frame = await client.next();
    if (frame[2] === ref) return frame;
  }
};

t.test('page loads fill the budget, then are answered 429; growth is refused, the last good state resumes', async (t) => {
  const first = await getPage(s.url, '/notes');
  const client = await LiveClient.open(s.url, { cookie: first.cookie });
  t.teardown(() => client.close());
  const joined = await client.join(1, first.view, first.token);
  const token = (joined[4] as { t: string }).t;
  t.equal((await ask(client, 'add', { name: 'kept' }))[1], 'r', 'a change within the budget is acknowledged');

  // Anonymous page loads (never joined) until the tenant is full: bounded, not Redis's memory.
  let loads = 0;
  let refused: Awaited<ReturnType<typeof getPage>> | undefined;
  while (refused === undefined && loads < 100) {
    const page = await getPage(s.url, '/notes');
    if (page.status === 200) loads++;
    else refused = page;
  }
  t.ok(refused, `page loads stop being stored at the budget (${loads} stored)`);
  t.equal(refused!.status, 429, 'a first paint over the budget: HTTP 429');
  t.match(refused!.html, 'LV_STATE_QUOTA_EXCEEDED');
  t.ok(loads >= 10 && loads < 20, `about budget ÷ page state loads fit (${loads})`);

  const grow = await ask(client, 'add', { name: 'x'.repeat(2000) });
  t.same(grow.slice(1, 5), ['x', grow[2], 1, 'LV_STATE_QUOTA_EXCEEDED'], `the growing change fails: ${JSON.stringify(grow).slice(0, 100)}`);
  const shrink = await ask(client, 'clear', {});
  t.equal(shrink[1], 'r', 'a change that shrinks the state is still acknowledged');
  t.notMatch(JSON.stringify(shrink), 'xxxx', 'the refused row never showed');
  await client.close();

  const again = await LiveClient.open(s.url, { cookie: first.cookie });
  t.teardown(() => again.close());
  const resumed = await again.join(1, first.view, token);
  t.equal(resumed[1], 'r');
  t.notMatch(JSON.stringify(resumed), /kept|xxxx/, 'the reconnect resumes the last acknowledged state (cleared)');
});

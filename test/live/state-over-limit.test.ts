/**
 * A change that grows a view's state past `state.maxBytes` fails (hardening issue, finding 10).
 * Before, a shared list grown by anonymous input made the state unsaveable: the event was
 * acknowledged, every later save failed, and a reconnect lost the view's state. Now the event
 * that grew it is answered LV_STATE_OVER_LIMIT and rolled back, the view stays live, and the last
 * good state is what a reconnect resumes — with the process-local and the Redis backend.
 */
import t from 'tap';
import { z } from 'zod';
import { LiveView, route } from '../../server/index.ts';
import { mergeStatics, Rendered, type WireNode } from '../../client/rendered.ts';
import { getPage, LiveClient, startServer, type Frame } from './harness.ts';

interface Row { id: number; name: string }

class GrowingListView extends LiveView<{ rows: Row[] }> {
  static template = 'list.html';
  static events = { add: z.object({ name: z.string() }) };
  mount() { return { rows: [{ id: 1, name: 'Alpha' }] }; }
  add({ name }: { name: string }) {
    this.state.rows.push({ id: this.state.rows.length + 1, name });
  }
}

function html(reply: Frame): string {
  const diff = reply[4] as WireNode;
  const statics = new Map<string, readonly string[]>();
  mergeStatics(statics, diff);
  const rendered = new Rendered();
  rendered.merge(diff, statics);
  return rendered.toHTML();
}

for (const backend of ['memory', 'redis']) {
  t.test(`${backend}: the event that grows the state past maxBytes fails, the last good state stays saved`, async (t) => {
    const s = await startServer({ routes: [route('/grow', GrowingListView)], state: { backend, maxBytes: 1024 } });
    t.teardown(() => s.close());
    const page = await getPage(s.url, '/grow');
    const client = await LiveClient.open(s.url, { cookie: page.cookie });
    const joined = await client.join(1, page.view, page.token);
    const token = (joined[4] as { t: string }).t;

    const ok = await client.event(1, 'add', { name: 'Beta' });
    t.equal(ok[1], 'r', `a small change is acknowledged: ${JSON.stringify(ok)}`);
    const refused = await client.event(1, 'add', { name: 'x'.repeat(2000) });
    t.equal(refused[1], 'x', 'an error frame, not a reply');
    t.equal(refused[4], 'LV_STATE_OVER_LIMIT', `the growing event is refused: ${JSON.stringify(refused).slice(0, 120)}`);
    const after = await client.event(1, 'add', { name: 'Gamma' });
    t.same(after[1], 'r', 'the view stays live');
    t.match(JSON.stringify(after), '"Gamma"', 'and continues from the last good state');
    t.notMatch(JSON.stringify(after), 'xxxx', 'the refused row is not in it');
    await client.close();

    // Reconnect: a new socket joins with the fresh token and gets the saved state.
    const again = await LiveClient.open(s.url, { cookie: page.cookie });
    t.teardown(() => again.close());
    const resumed = html(await again.join(1, page.view, token));
    t.match(resumed, /<li id="r1">Alpha<\/li><li id="r2">Beta<\/li><li id="r3">Gamma<\/li><\/ul>/, `the last good state resumed: ${resumed}`);
    t.notMatch(resumed, 'xxxx');
  });
}

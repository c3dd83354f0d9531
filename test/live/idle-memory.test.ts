/**
 * An idle view costs what it did before live components, nested views and streams (D68, D86):
 * a view whose template shows none of them, in an app that registers live components (so a
 * component host made for every view would show), holds less heap after a full GC than
 * BOUND_KB. Measured here (1,000 views): 2.75 KB before those features, 3.83 KB once they made a
 * component host (its maps, set and closures) and a nested-view host for every view, 2.79 KB
 * with both made on first use. The bound's margin (0.2 KB) is what heap readings need on a busy
 * machine; it would not see the ~0.1 KB nested-view host alone, so the test also checks directly
 * that such a view made no component host.
 *
 * Measured as the bench measures memory per session (D68): a forced GC, then the difference
 * between two states of the same process, divided by the views — here the same sockets before
 * and after each joins one view, so what the clients and sockets hold drops out. No timing is
 * measured.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { LiveView, route } from '../../server/index.ts';
import { componentRoutes, components } from './fixtures/components.ts';
import { getPage, heapAfterGc, LiveClient, startServer } from './harness.ts';

/** Enough views that the heap's own noise (tens of KB between readings) is well under 0.1 KB per view. */
const VIEWS = 500;
/** Views joined before the first reading: what the process keeps once (compiled code, caches) is kept by then. */
const WARM = 20;
/** KB of heap per idle view with ~1 KB of state. */
const BOUND_KB = 3;

class IdleView extends LiveView<{ note: string; touched: number }> {
  static template = 'idle.html';
  static events = { touch: null };
  mount() {
    return { note: 'x'.repeat(1024), touched: 0 };
  }
  touch() {
    this.state.touched += 1;
  }
}

const s = await startServer({
  routes: [route('/idle', IdleView), ...componentRoutes],
  components,
  templatesDir: fileURLToPath(new URL('./fixtures/components/', import.meta.url)),
  socket: { maxPerSession: 10_000, maxPerIp: 10_000 },
  pages: { ratePerSecond: 1_000_000, burst: 1_000_000 },
});
t.teardown(() => s.close());

async function joinIdle(client: LiveClient, cookie: string): Promise<string> {
  const page = await getPage(s.url, '/idle', cookie);
  const reply = await client.join(1, page.view, page.token);
  if (reply[1] !== 'r') throw new Error(`join refused: ${JSON.stringify(reply)}`);
  return page.token;
}

t.test('an idle view without components, nested views or streams holds what it did before them', async (t) => {
  const { cookie } = await getPage(s.url, '/idle');
  const clients: LiveClient[] = [];
  t.teardown(() => Promise.all(clients.map((c) => c.close())));
  for (let i = 0; i < WARM + VIEWS; i++) clients.push(await LiveClient.open(s.url, { cookie }));
  let token = '';
  for (const client of clients.slice(0, WARM)) token = await joinIdle(client, cookie);

  const runtime = s.server.app.livery.runtime;
  const claims = runtime.signer.verify(token);
  const mounted = runtime.liveView(claims.tenant, claims.instance);
  t.ok(mounted !== undefined, 'the joined view is found');
  t.equal(mounted?.components, undefined, 'a view that shows no component has no component host');

  const before = await heapAfterGc();
  for (const client of clients.slice(WARM)) await joinIdle(client, cookie);
  const perView = ((await heapAfterGc()) - before) / VIEWS / 1024;
  t.ok(perView < BOUND_KB, `an idle view holds ${perView.toFixed(2)} KB of heap (bound ${BOUND_KB} KB)`);
});

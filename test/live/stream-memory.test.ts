/**
 * A view's memory does not grow with its stream (D82): after each of several views streamed
 * 10,000 items (ten events of 1,000), the heap after a full GC is where it was with the same views
 * idle — as the bench measures memory per session (D68): a forced GC, then the difference between
 * two states of the same process, divided by the views, after two other views streamed as much
 * (what the process keeps once — compiled code, buffer pools — is then kept before the first
 * reading: measured without them, it shows as ~250 KB over two views, ~40 KB over twelve). A control view that keeps what it
 * streams (`KeepingFeedView`) shows the measurement sees retained items: it grows by megabytes.
 * No timing is measured; the bounds are two orders of magnitude apart.
 */
import t from 'tap';
import { feedRoutes } from './fixtures/stream-views.ts';
import { getPage, heapAfterGc, LiveClient, startServer } from './harness.ts';

const VIEWS = 8;
/** Views filled before the first measurement: what the process keeps once, whatever the views (compiled code, buffer pools), is kept by then. */
const WARM = 2;
const ITEMS = 10_000;
const BATCH = 1_000;

const s = await startServer({ routes: feedRoutes });
t.teardown(() => s.close());

/** `VIEWS` joined views of `path`, each on its own socket. */
async function open(path: string, count = VIEWS): Promise<LiveClient[]> {
  const clients: LiveClient[] = [];
  for (let i = 0; i < count; i++) {
    const page = await getPage(s.url, path);
    const client = await LiveClient.open(s.url, { cookie: page.cookie });
    const reply = await client.join(1, page.view, page.token);
    if (reply[1] !== 'r') throw new Error(`join refused: ${JSON.stringify(reply)}`);
    clients.push(client);
  }
  return clients;
}

/** Streams ITEMS items into each view, BATCH per event; every reply is read (and dropped). */
async function fill(clients: LiveClient[]): Promise<void> {
  for (const client of clients) {
    for (let sent = 0; sent < ITEMS; sent += BATCH) {
      const reply = await client.event(1, 'fill', { count: BATCH });
      if (reply[1] !== 'r') throw new Error(`fill failed: ${JSON.stringify(reply).slice(0, 200)}`);
    }
  }
}

t.test('streaming 10,000 items per view leaves its memory as it was', async (t) => {
  const warm = await open('/feed', WARM);
  const clients = await open('/feed');
  t.teardown(() => Promise.all([...warm, ...clients].map((c) => c.close())));
  await fill(warm);
  // Each measured view has had an event: what a view keeps after its first (a journal, a buffer) is not the stream's.
  for (const client of clients) await client.event(1, 'touch');
  const before = await heapAfterGc();
  await fill(clients);
  const after = await heapAfterGc();
  const perView = (after - before) / VIEWS;
  t.ok(perView < 16 * 1024, `a view that streamed ${ITEMS} items holds ${(perView / 1024).toFixed(1)} KB more than before (bound 16 KB)`);

  const keeping = await open('/keeping');
  for (const client of keeping) await client.event(1, 'touch');
  t.teardown(() => Promise.all(keeping.map((c) => c.close())));
  const control = await heapAfterGc();
  await fill(keeping);
  const kept = ((await heapAfterGc()) - control) / VIEWS;
  t.ok(kept > 1024 * 1024, `the control, which keeps its items, holds ${(kept / 1024 / 1024).toFixed(1)} MB more per view: the measurement sees retained items`);
});

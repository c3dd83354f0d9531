/**
 * Regression: a join that was never answered (test/scale/three-processes.test.ts, intermittently
 * under load). uWS marks "parsing HTTP" on the whole HTTP context; a socket whose identity
 * settled inside another request's handler was upgraded in that state — it opened, but its frames
 * were never dispatched. Here the socket's session lookup is held until a page request on another
 * connection reads the session, so the upgrade always settles inside that request's handler.
 */
import t from 'tap';
import { MemorySessionStore, type SessionData } from '../../server/session/index.ts';
import { routes } from '../live/fixtures/views.ts';
import { getPage, LiveClient, startServer } from '../live/harness.ts';

/** A session store that holds one `get` until the next `get` (from another request) releases it. */
class HeldSessionStore extends MemorySessionStore {
  #hold = false;
  #release: (() => void) | undefined;
  held = false;

  holdNext(): void {
    this.#hold = true;
  }

  override async get(id: string): Promise<SessionData | undefined> {
    const release = this.#release;
    this.#release = undefined;
    release?.(); // settles the held lookup here, inside this request's handler
    if (this.#hold) {
      this.#hold = false;
      this.held = true;
      await new Promise<void>((resolve) => { this.#release = resolve; });
    }
    return super.get(id);
  }
}

t.test('a socket whose identity settles inside another request\'s handler is still served', async (t) => {
  const sessions = new HeldSessionStore({ ttlSeconds: 600, maxEntries: 1000 });
  const s = await startServer({ routes, sessionStore: sessions });
  t.teardown(() => s.close());
  const page = await getPage(s.url, '/counter');
  t.equal(page.status, 200);

  sessions.holdNext();
  const opening = LiveClient.open(s.url, { cookie: page.cookie });
  while (!sessions.held) await new Promise((resolve) => setTimeout(resolve, 5));
  const other = await getPage(s.url, '/counter', page.cookie); // releases the socket's lookup
  t.equal(other.status, 200, 'the releasing request is answered');

  const client = await opening;
  t.teardown(() => client.close());
  const reply = await client.join(1, page.view, page.token, 10_000); // a bound for a hang, not a timing assertion
  t.same(reply.slice(0, 4), [2, 'r', 1, 1], 'the join is answered');
  t.same((await client.event(1, 'inc'))[4], { 0: '1' }, 'and the socket keeps serving events');
});

/**
 * What a view's live components may cost (D85). Their records live in the view's state under
 * `$components` (D80), mounted by the parent's render — after the handler's own size check. A
 * render that would take the state past `state.maxBytes` used to keep every record anyway: every
 * later save failed (a reconnect lost all the user did since the last one) and every component
 * event was refused LV_STATE_OVER_LIMIT. Now the mounts past the bound are shown `failed`, not
 * kept, and the view says LV_COMPONENTS_OVER_LIMIT once: its state always fits.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LiveView, route } from '../../server/index.ts';
import { components } from './fixtures/components.ts';
import { getPage, LiveClient, startServer, type Frame } from './harness.ts';

/** Shows a Row component per id: the ids are small, each component's record is not. */
class ManyView extends LiveView<{ ids: string[]; pad: string }> {
  static template = 'many.html';
  static events = { grow: z.object({ count: z.coerce.number().int() }), shrink: null, pad: z.object({ bytes: z.coerce.number().int() }), unpad: null };
  mount() {
    return { ids: [], pad: '' };
  }
  /** State the components compete with for room. */
  pad({ bytes }: { bytes: number }) {
    this.state.pad = 'x'.repeat(bytes);
  }
  /** Frees the room, and renders the list again. */
  unpad() {
    this.state.pad = '';
    this.state.ids = [...this.state.ids];
  }
  grow({ count }: { count: number }) {
    const start = this.state.ids.length;
    this.state.ids = [...this.state.ids, ...Array.from({ length: count }, (_, i) => `p${start + i}`)];
  }
  shrink() {
    this.state.ids = this.state.ids.slice(0, 1);
  }
}

const s = await startServer({
  routes: [route('/many', ManyView)],
  components,
  state: { maxBytes: 8 * 1024 },
  templatesDir: fileURLToPath(new URL('./fixtures/components/', import.meta.url)),
});
t.teardown(() => s.close());

const count = (frame: Frame) => (frame[4] as Record<string, unknown>)[0];
const cids = (frame: Frame) => Object.keys((frame[4] as { c?: object }).c ?? {}).map(Number);

t.test('a render that would mount more components than the state can hold keeps the state savable', async (t) => {
  const page = await getPage(s.url, '/many');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  const joined = await client.join(1, page.view, page.token);
  t.equal(joined[1], 'r');
  const ten = await client.event(1, 'grow', { count: 10 });
  t.equal(ten[1], 'r', 'ten fit');
  // The view showed no component at its join: the first ones make its component host (D86).
  t.equal(cids(ten).length, 10, 'and arrive whole in c, with the render that first shows them');

  client.send([2, 'e', client.nextRef(), 1, 'grow', { count: 400 }]);
  const told = await client.next();
  t.same([told[1], told[2], told[4]], ['x', 0, 'LV_COMPONENTS_OVER_LIMIT'], 'the view is told once that components past the bound are not kept');
  const many = await client.next();
  t.same([many[1], count(many)], ['r', '410'], 'the parent\'s own change is kept and acknowledged');
  t.equal(client.frames.length, 0, 'one error frame for the render, not one per component');

  const kept = cids(many)[0];
  client.send([2, 'e', client.nextRef(), 1, 'star', {}, kept]);
  t.equal((await client.next())[1], 'r', 'a component that fit still takes events (the state is within state.maxBytes)');
  const unkept = Math.max(...cids(many));
  client.send([2, 'e', client.nextRef(), 1, 'star', {}, unkept]);
  t.equal((await client.next())[4], 'LV_COMPONENTS_OVER_LIMIT', 'one past the bound refuses events: what they did could not be saved');
  client.send([2, 'e', client.nextRef(), 1, 'grow', { count: 1 }]);
  t.same([(await client.next())[4], (await client.next())[1]], ['LV_COMPONENTS_OVER_LIMIT', 'r'], 'and so does the view (its new component is past the bound too)');
  await client.close();

  const again = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => again.close());
  again.send([2, 'j', again.nextRef(), 1, page.view, (joined[4] as { t: string }).t]);
  let rejoined = await again.next();
  if (rejoined[1] === 'x') rejoined = await again.next(); // the rejoin's render meets the bound again
  t.same([rejoined[1], count(rejoined)], ['r', '411'], 'a reconnect finds every acknowledged change: the state was saved');
  const shrunk = await again.event(1, 'shrink');
  t.same([shrunk[1], count(shrunk)], ['r', '1'], 'shrinking drops the rest');
  t.equal((await again.event(1, 'grow', { count: 5 }))[1], 'r', 'and there is room again');
  t.equal(again.frames.length, 0, 'with no error');
});

t.test('a component not kept for want of room is kept once the list renders with room again', async (t) => {
  const page = await getPage(s.url, '/many');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  t.equal((await client.join(1, page.view, page.token))[1], 'r');
  t.equal((await client.event(1, 'pad', { bytes: 6 * 1024 }))[1], 'r');
  client.send([2, 'e', client.nextRef(), 1, 'grow', { count: 60 }]);
  t.equal((await client.next())[4], 'LV_COMPONENTS_OVER_LIMIT');
  const grown = await client.next();
  const unkept = Math.max(...cids(grown));
  client.send([2, 'e', client.nextRef(), 1, 'star', {}, unkept]);
  t.equal((await client.next())[4], 'LV_COMPONENTS_OVER_LIMIT', 'not kept: its events are refused');
  t.equal((await client.event(1, 'unpad'))[1], 'r', 'the room comes back');
  client.send([2, 'e', client.nextRef(), 1, 'star', {}, unkept]);
  const starred = await client.next();
  t.same([starred[1], Object.keys((starred[4] as { c: object }).c)], ['r', [String(unkept)]], 'kept now: its event runs');
});


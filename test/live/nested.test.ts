// Nested live views (`{% live "View" id="…" %}`, D81) over a real socket: each nested view is its
// own view on the parent's socket — own vid, token, state and mailbox — rendered with the page on
// the first load, joined when a live re-render adds it, restored on reconnect, gone when it leaves.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { createServer, LiveView, route } from '../../server/index.ts';
import { holdChild, NestedChildView, nestedRoutes, nestedViews } from './fixtures/nested.ts';
import { getPage, LiveClient, startServer, type Frame } from './harness.ts';

const TEMPLATES = fileURLToPath(new URL('./fixtures/nested-templates/', import.meta.url));

interface Container {
  readonly id: string;
  readonly view: string;
  readonly token: string;
}

/** Every view container in some HTML (or a diff's JSON), in document order. */
function containers(html: string): Container[] {
  const out: Container[] = [];
  for (const m of html.matchAll(/<div id=\\?"(lv-[^"\\]+)\\?" data-lv-view=\\?"([^"\\]+)\\?" data-lv-token=\\?"([^"\\]+)\\?"/g)) out.push({ id: m[1], view: m[2], token: m[3] });
  return out;
}

const diffOf = (frame: Frame) => JSON.stringify(frame[4] ?? frame[3]);

async function nestedServer(t: Test) {
  const s = await startServer({ routes: nestedRoutes, views: nestedViews, templatesDir: TEMPLATES });
  t.teardown(() => s.close());
  return s;
}

t.test('the first page load renders the child inside the parent, with its own container and token', async (t) => {
  const s = await nestedServer(t);
  const page = await getPage(s.url, '/nested');
  t.equal(page.status, 200);
  const [parent, child, ...more] = containers(page.html);
  t.equal(more.length, 0, 'two views on the page');
  t.equal(parent.view, 'NestedParentView');
  t.equal(child.view, 'NestedChildView');
  t.equal(child.id, `${parent.id}.child`, 'the child\'s instance derives from the parent\'s and its id');
  t.not(child.token, parent.token);
  t.match(page.html, /<div class="slot"><div id="lv-[^"]+\.child"[^>]*><div class="child"><i class="child-label">first<\/i> <b class="child-count">0<\/b>/, 'the child\'s server-rendered HTML is in its container, before any JS');
  t.notMatch(page.html, /lv-nested/, 'no marker is left');
});

t.test('parent and child handle their own events on one socket; a re-render of one never touches the other', async (t) => {
  const s = await nestedServer(t);
  const page = await getPage(s.url, '/nested');
  const [parent, child] = containers(page.html);
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  const parentJoin = await client.join(1, parent.view, parent.token);
  t.same(parentJoin.slice(0, 4), [2, 'r', 1, 1]);
  t.match(diffOf(parentJoin), child.id, 'the parent\'s render holds the child\'s container (the client keeps the child\'s own content)');
  const childJoin = await client.join(2, child.view, child.token);
  t.same(childJoin.slice(0, 4), [2, 'r', 2, 2]);
  t.match(diffOf(childJoin), /first/, 'the child adopted the state the page rendered (its params)');
  const mountsBefore = NestedChildView.mounts.length;

  t.same(await client.event(2, 'inc'), [2, 'r', 3, 2, { 1: '1' }], 'the child\'s event changes the child only');
  const parentInc = await client.event(1, 'inc');
  t.same(parentInc.slice(0, 4), [2, 'r', 4, 1]);
  t.notMatch(diffOf(parentInc), /data-lv-token/, 'the parent\'s diff does not re-render the child\'s container');
  t.same(await client.event(2, 'inc'), [2, 'r', 5, 2, { 1: '2' }]);
  t.equal(NestedChildView.mounts.length, mountsBefore, 'joining did not mount the child again');

  // The tag's argument changed: its slot re-renders the same container (same id), never a new child.
  const relabel = await client.event(1, 'relabel');
  t.equal(containers(diffOf(relabel))[0]?.id, child.id, 'the same child, by id');
  t.same(await client.event(2, 'inc'), [2, 'r', 7, 2, { 1: '3' }], 'whose state is untouched: params go to mount only');
});

t.test('a slow child does not hold up the parent; a failing child does not end the parent or the socket', async (t) => {
  const s = await nestedServer(t);
  const page = await getPage(s.url, '/nested');
  const [parent, child] = containers(page.html);
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  await client.join(1, parent.view, parent.token);
  await client.join(2, child.view, child.token);

  const release = holdChild();
  client.send([2, 'e', 10, 2, 'slow', {}]);
  client.send([2, 'e', 11, 1, 'inc', {}]);
  const first = await client.next();
  t.same(first, [2, 'r', 11, 1, { 0: '1' }], 'the parent answered while the child\'s handler still waits');
  release();
  t.same(await client.next(), [2, 'r', 10, 2, { 1: '10' }], 'then the child');

  client.send([2, 'e', 12, 2, 'boom', {}]);
  const failed = await client.next();
  t.same(failed.slice(0, 5), [2, 'x', 12, 2, 'LV_HANDLER_FAILED'], 'the child\'s failure is reported for the child');
  client.send([2, 'e', 13, 1, 'inc', {}]);
  t.same(await client.next(), [2, 'r', 13, 1, { 0: '2' }], 'the parent goes on');
  client.send([2, 'e', 14, 2, 'inc', {}]);
  t.same(await client.next(), [2, 'r', 14, 2, { 1: '11' }], 'and so does the child');
});

t.test('a reconnect restores parent and child; a child added by a live re-render is joined, and its leave drops it', async (t) => {
  const s = await nestedServer(t);
  const page = await getPage(s.url, '/nested');
  const [parent, child] = containers(page.html);
  const first = await LiveClient.open(s.url, { cookie: page.cookie });
  const parentToken = ((await first.join(1, parent.view, parent.token))[4] as { t: string }).t;
  const childToken = ((await first.join(2, child.view, child.token))[4] as { t: string }).t;
  await first.event(1, 'inc');
  await first.event(2, 'inc');
  await first.event(2, 'inc');

  // The extra child appears in a live re-render: a container with a token whose state does not exist yet.
  const added = await first.event(1, 'addExtra');
  const [extra, ...others] = containers(diffOf(added));
  t.equal(others.length, 0);
  t.equal(extra.id, `${parent.id}.extra`);
  const mountsBefore = NestedChildView.mounts.length;
  const extraJoin = await first.join(3, extra.view, extra.token);
  t.same(extraJoin.slice(0, 4), [2, 'r', 7, 3]);
  t.match(diffOf(extraJoin), /extra/, 'mounted when it joined, with the tag\'s params');
  t.same(NestedChildView.mounts.slice(mountsBefore), [{ label: 'extra' }], 'mount(params) got the tag\'s attributes as strings');
  await first.event(3, 'inc');
  await first.close();

  const second = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => second.close());
  t.match(diffOf(await second.join(1, parent.view, parentToken)), /"0":"1"/, 'the parent resumed');
  await second.join(2, child.view, childToken);
  t.same((await second.event(2, 'inc')).slice(4), [{ 1: '3' }], 'the child resumed at 2');
  t.same((await second.join(3, extra.view, extra.token)).slice(0, 4), [2, 'r', 4, 3], 'the added child rejoined with its state');
  t.same((await second.event(3, 'inc')).slice(4), [{ 1: '2' }], 'at 1');

  // The parent stops rendering it; the client leaves the view whose container left the page.
  const dropped = await second.event(1, 'dropExtra');
  t.notMatch(diffOf(dropped), /data-lv-token/);
  second.send([2, 'l', 7, 3]);
  t.same(await second.next(), [2, 'r', 7, 3], 'left');
  second.send([2, 'e', 8, 3, 'inc', {}]);
  t.same((await second.next()).slice(0, 5), [2, 'x', 8, 3, 'LV_VIEW_NOT_JOINED'], 'gone from the socket');
  // Rendered again later under the same id, it is a new child: its state was dropped when it left.
  const again = containers(diffOf(await second.event(1, 'addExtra')))[0];
  t.match(diffOf(await second.join(3, again.view, again.token)), /"1":"0"/, 'mounted afresh');
});

t.test('a live navigation to a page with a nested view renders and saves the child with the page', async (t) => {
  const s = await nestedServer(t);
  const page = await getPage(s.url, '/child?label=routed');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  t.match(diffOf(await client.join(1, page.view, page.token)), /routed/, 'a nested view\'s class may be routed too');
  const before = NestedChildView.mounts.length;
  client.send([2, 'n', 2, 1, '/nested']);
  const reply = await client.next();
  t.same(reply.slice(0, 4), [2, 'r', 2, 1]);
  const [child, ...more] = containers(diffOf(reply));
  t.equal(more.length, 0);
  t.equal(child.view, 'NestedChildView');
  t.same(NestedChildView.mounts.slice(before), [{ label: 'first' }], 'the child mounted with the new page');
  t.match(diffOf(await client.join(2, child.view, child.token)), /first/, 'and its join adopted that state');
  t.equal(NestedChildView.mounts.length, before + 1, 'without mounting again');
});

t.test('a child token is bound to its session and tenant: another browser cannot join it', async (t) => {
  const s = await nestedServer(t);
  const page = await getPage(s.url, '/nested');
  const other = await getPage(s.url, '/nested');
  const [, child] = containers(page.html);
  const client = await LiveClient.open(s.url, { cookie: other.cookie });
  t.teardown(() => client.close());
  const reply = await client.join(1, child.view, child.token);
  t.same(reply.slice(0, 5), [2, 'x', 1, 1, 'LV_TOKEN_INVALID']);
});

/** A templates folder holding `files`, for startup checks. */
function templates(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lv-nested-'));
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
  return dir;
}

class HostView extends LiveView<{ ids: string[]; bad: string }> {
  static template = 'host.html';
  mount() { return { ids: ['a', 'a'], bad: 'has space' }; }
}

class SelfView extends LiveView<object> {
  static template = 'self.html';
  mount() { return {}; }
}

class OnlyNested extends LiveView<{ label: string }> {
  static template = 'only.html';
  mount(params: Record<string, string>) { return { label: params.label ?? '' }; }
}

async function startupError(t: Test, files: Record<string, string>, options: object = {}): Promise<string> {
  const error = await createServer({ routes: [route('/host', HostView)], templatesDir: templates(files), logLevel: 'silent', handleSignals: false, port: 0, ...options })
    .then((server) => server.close().then(() => undefined), (e: Error) => e);
  t.ok(error, 'startup fails');
  return error?.message ?? '';
}

t.test('compile-time problems stop startup with file:line:column', async (t) => {
  t.match(await startupError(t, { 'host.html': '<p>\n  {% live "Nope" id="x" %}</p>' }), /livery\.C005[\s\S]*host\.html:2:3: \{% live "Nope" %\}: no view class named Nope is registered/);
  t.match(await startupError(t, { 'host.html': '{% live "HostView" %}' }), /host\.html:1:1: \{% live "HostView" %\} needs an id/);
  t.match(await startupError(t, { 'host.html': '{% live "HostView" id="a" %}\n{% live "HostView" id="a" %}' }), /host\.html:2:1: .*id "a" is already used at host\.html:1:1/);
  t.match(await startupError(t, { 'host.html': '{% live "HostView" id="a b" %}' }), /host\.html:1:1: .*is not 1-64 letters/);
  t.match(await startupError(t, { 'host.html': '{% live HostView id="a" %}' }), /host\.html:1:1: 'live' tag takes the view's class name as a quoted string/);
  t.match(await startupError(t, { 'host.html': '<a href="{% live "HostView" id="a" %}">' }), /host\.html:1:10:.*must be used in text content/);
  t.match(await startupError(t, { 'host.html': '{% filter upper %}{% live "HostView" id="a" %}{% endfilter %}' }), /host\.html:1:1: \{% live %\} cannot stand inside \{% filter %\}/);
  t.match(await startupError(t, { 'host.html': '' }, { views: ['NotAClass'] }), /livery\.C071[\s\S]*not a view class/);
});

t.test('render-time problems have stable codes; a view may nest one only registered in `views`', async (t) => {
  const dir = templates({
    'host.html': '{% for id in ids %}{% live "OnlyNested" id=id %}{% endfor %}',
    'bad.html': '{% live "OnlyNested" id=bad %}',
    'self.html': '<p>{% live "SelfView" id="again" %}</p>',
    'only.html': '<i>{{ label }}</i>',
    'ok.html': '{% include "only.html" only %}{% live "OnlyNested" id="one" label="hello" %}',
  });
  class BadView extends HostView { static template = 'bad.html'; }
  class OkView extends LiveView<object> { static template = 'ok.html'; mount() { return {}; } }
  const s = await startServer({
    routes: [route('/dup', HostView), route('/bad', BadView), route('/self', SelfView), route('/ok', OkView)],
    views: [OnlyNested],
    templatesDir: dir,
  });
  t.teardown(() => s.close());
  const dup = await getPage(s.url, '/dup');
  t.equal(dup.status, 500);
  t.match(dup.html, 'LV_NESTED_ID_INVALID', 'an id used twice in one render');
  const bad = await getPage(s.url, '/bad');
  t.match(bad.html, 'LV_NESTED_ID_INVALID', 'an id that is not a plain name');
  const self = await getPage(s.url, '/self');
  t.match(self.html, 'LV_NESTED_VIEW_INVALID', 'a view nesting itself stops at the depth bound');
  const ok = await getPage(s.url, '/ok');
  t.equal(ok.status, 200);
  t.match(ok.html, /data-lv-view="OnlyNested"[^>]*><i>hello<\/i><\/div>/, 'a view listed in `views` is nested, and rendered with the page');
  t.equal(containers(ok.html).length, 2);
});

t.test('the page layout is no view: a {% live %} there, or in what it includes, stops startup with file:line:column', async (t) => {
  const layout = (body: string) => `<html><head>{{ head|safe }}</head><body>{{ content|safe }}${body}</body></html>`;
  const options = { layout: 'layout.html', views: [OnlyNested] };
  t.match(
    await startupError(t, { 'layout.html': layout('\n  {% live "OnlyNested" id="side" %}'), 'host.html': '', 'only.html': '' }, options),
    /livery\.C005[\s\S]*layout layout\.html: layout\.html:2:3: \{% live "OnlyNested" %\} cannot stand in the page layout/,
  );
  t.match(
    await startupError(t, { 'layout.html': layout('{% include "_side.html" %}'), '_side.html': '<aside>\n\n {% live "OnlyNested" id="side" %}</aside>', 'host.html': '', 'only.html': '' }, options),
    /livery\.C005[\s\S]*layout layout\.html: _side\.html:3:2: \{% live "OnlyNested" %\} cannot stand in the page layout/,
    'the included file\'s place',
  );
  // The same partial in a view's template is fine, and a layout without the tag starts.
  const dir = templates({ 'layout.html': layout(''), '_side.html': '<aside>{% live "OnlyNested" id="side" %}</aside>', 'host.html': '{% include "_side.html" %}', 'only.html': '<i>{{ label }}</i>' });
  const s = await startServer({ routes: [route('/host', HostView)], views: [OnlyNested], layout: 'layout.html', templatesDir: dir });
  t.teardown(() => s.close());
  const page = await getPage(s.url, '/host');
  t.equal(page.status, 200);
  t.equal(containers(page.html).length, 2, 'the view nests through the partial');
});

t.test('a diff that fails and re-renders in full in the same turn does not take its own nested ids for duplicates', async (t) => {
  let armed = false;
  const flaky = (value: unknown) => {
    if (armed) {
      armed = false;
      throw new Error('once');
    }
    return value;
  };
  class FlakyView extends LiveView<{ value: string }> {
    static template = 'flaky.html';
    static events = { set: null };
    mount() { return { value: 'a' }; }
    set() { this.state.value = 'b'; }
  }
  const dir = templates({ 'flaky.html': '{% live "OnlyNested" id="one" label=value %}<p>{{ value|flaky }}</p>', 'only.html': '<i>{{ label }}</i>' });
  const s = await startServer({ routes: [route('/flaky', FlakyView)], views: [OnlyNested], templatesDir: dir, filters: { flaky } });
  t.teardown(() => s.close());
  const page = await getPage(s.url, '/flaky');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  await client.join(1, page.view, page.token);
  armed = true;
  client.send([2, 'e', 2, 1, 'set', {}]);
  t.same((await client.next()).slice(0, 5), [2, 'x', 0, 1, 'LV_TEMPLATE_FILTER_FAILED'], 'the failed diff is reported');
  const reply = await client.next();
  t.same(reply.slice(0, 4), [2, 'r', 2, 1]);
  t.match(diffOf(reply), /<p>b<\/p>|"b"/, 'and the full re-render went out');
});

// App-defined template filters (D76): escaping unless declared safe, compile-time errors with a
// place, startup checks (livery.C066), dependency tracking through the diff engine, and a filter
// that throws at render (LV_TEMPLATE_FILTER_FAILED) leaving the socket and other views working.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { z } from 'zod';
import { checks, createServer, LiveView, route, StartupError, type TemplateFilters } from '../../server/index.ts';
import { resolveConfig } from '../../server/options/index.ts';
import { createMemoryLoader, createScope, renderToString, TemplateFilterError, TemplateSyntaxError } from '../../server/template/index.ts';
import { SafeString } from '../../server/template/values.ts';
import { createTestApp } from '../../server/testing/index.ts';

let moneyCalls = 0;
const filters: TemplateFilters = {
  money: (value, currency) => {
    moneyCalls++;
    if (value === 'explode') throw new Error('not a price');
    return `${(Number(value) / 100).toFixed(2)} ${currency ?? 'EUR'}`;
  },
  badge: { filter: (value) => `<b class="badge">${String(value).replace(/[<&>"']/g, '')}</b>`, safe: true },
  shout: { filter: (value) => `${String(value).toUpperCase()}!`, arg: 'none' },
  wrap: { filter: (value, arg) => `${String(arg)}${String(value)}${String(arg)}`, arg: 'required' },
};

/** What `fn` throws (t.throws takes a function argument for a class). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

function render(template: string, context: Record<string, unknown>, autoescape = true): string {
  const loader = createMemoryLoader({ 't.html': template }, { filters, autoescape });
  return renderToString(loader.load('t.html'), createScope(context));
}

t.test('an app filter\'s output is escaped unless it declares itself safe', async (t) => {
  t.equal(render('{{ v|shout }}', { v: '<i>' }), '&lt;I&gt;!');
  t.equal(render('{{ v|shout }}', { v: new SafeString('<i>') }), '&lt;I&gt;!', 'a safe input does not make the output safe');
  t.equal(render('{{ v|shout }}', { v: '<i>' }, false), '<I>!', 'autoescape off: as written');
  t.equal(render('{{ v|badge }}', { v: 'new<' }), '<b class="badge">new</b>', 'safe: true is trusted as HTML');
  t.equal(render('{{ v|badge|upper }}', { v: 'x' }), '&lt;B CLASS=&quot;BADGE&quot;&gt;X&lt;/B&gt;', 'and a built-in after it follows Django: upper is not safe');
  t.equal(render('{{ v|money:"USD"|lower }}', { v: 1234 }), '12.34 usd', 'chains with built-ins; the argument arrives as plain text');
  t.equal(render('{{ v|wrap:w }}', { v: 'a', w: new SafeString('"') }), '&quot;a&quot;', 'a variable argument');
  t.equal(render('{% if v|shout == "HI!" %}yes{% endif %}', { v: 'hi' }), 'yes', 'usable in tags too');
});

t.test('a template using an unknown filter, or one with the wrong arguments, fails to compile with its place', async (t) => {
  const loader = createMemoryLoader({ 'a.html': 'x\n  {{ v|nosuch }}', 'b.html': '{{ v|shout:1 }}', 'c.html': '{{ v|wrap }}' }, { filters });
  const error = thrown(() => loader.load('a.html'));
  t.ok(error instanceof TemplateSyntaxError);
  t.equal((error as Error).message, "a.html:2:3: Invalid filter: 'nosuch'");
  t.throws(() => loader.load('b.html'), { message: 'b.html:1:1: shout requires 1 arguments, 2 provided' });
  t.throws(() => loader.load('c.html'), { message: 'c.html:1:1: wrap requires 2 arguments, 1 provided' });
  const plain = createMemoryLoader({ 'a.html': '{{ v|shout }}' });
  t.throws(() => plain.load('a.html'), { message: "a.html:1:1: Invalid filter: 'shout'" }, 'a loader without the app filters does not know them');
});

t.test('a filter that throws stops the render with LV_TEMPLATE_FILTER_FAILED, naming the filter and the place', async (t) => {
  const error = thrown(() => render('<p>\n{{ v|money }}</p>', { v: 'explode' }));
  t.ok(error instanceof TemplateFilterError);
  t.equal((error as TemplateFilterError).code, 'LV_TEMPLATE_FILTER_FAILED');
  t.equal((error as Error).message, "t.html:2:1: filter 'money' threw: not a price");
  t.equal(((error as Error).cause as Error).message, 'not a price');
});

t.test('invalid filters stop startup with livery.C066 and its hint', async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ['a built-in name', { upper: (v: unknown) => v }, /filter 'upper': a built-in filter has this name/],
    ['not an identifier', { 'my-filter': (v: unknown) => v }, /filter 'my-filter': the name must be an identifier/],
    ['a leading digit', { '1st': (v: unknown) => v }, /filter '1st': the name must be an identifier/],
    ['not a function', { money: 'x' }, /filter 'money': expected a function/],
    ['a bad safe flag', { money: { filter: (v: unknown) => v, safe: 'yes' } }, /filter 'money': safe must be true or false/],
    ['a bad arg', { money: { filter: (v: unknown) => v, arg: 'two' } }, /filter 'money': arg must be/],
  ];
  for (const [what, value, detail] of cases) {
    const error = thrown(() => resolveConfig({ filters: value as TemplateFilters }, {}));
    t.ok(error instanceof StartupError, what);
    t.match((error as Error).message, 'livery.C066');
    t.match((error as Error).message, detail);
    t.match((error as Error).message, checks['livery.C066'], 'with its hint');
  }
  t.same(resolveConfig({ filters }, {}).filters, filters, 'valid filters pass');
});

const fixtures = new URL('./fixtures/app-filters/', import.meta.url);
const anything = z.record(z.string(), z.unknown());

class PricesView extends LiveView<{ price: unknown; currency: string; note: string; label: string }> {
  static template = 'prices.html';
  static events = { set: anything };
  mount() {
    return { price: 1999, currency: 'EUR', note: 'first', label: 'sale' };
  }
  set(payload: Record<string, unknown>) {
    Object.assign(this.state, payload);
  }
}

class OtherView extends LiveView<{ n: number }> {
  static template = 'other.html';
  static events = { inc: null };
  mount() {
    return { n: 0 };
  }
  inc() {
    this.state.n++;
  }
}

t.test('live: the slot re-renders only when its inputs change; a throwing filter leaves the socket and other views working', async (t) => {
  const app = await createTestApp({ routes: [route('/prices', PricesView), route('/other', OtherView)], templatesDir: fixtures, options: { filters } });
  t.teardown(() => app.close());
  const view = await app.mount('/prices');
  const other = await app.mount('/other');
  t.equal(view.find('#price')?.text, '19.99 EUR');
  t.equal(view.find('#badge')?.innerHTML, '<b class="badge">sale</b>');

  const before = moneyCalls;
  await view.event('set', { note: 'second' });
  t.equal(view.find('#note')?.text, 'second');
  t.equal(moneyCalls, before, 'a change to another state key does not call the filter');
  await view.event('set', { currency: 'USD' });
  t.equal(view.find('#price')?.text, '19.99 USD');
  t.equal(moneyCalls, before + 1, 'a change to its argument does, once');
  await view.event('set', { price: 500 });
  t.equal(view.find('#price')?.text, '5.00 USD');
  t.equal(moneyCalls, before + 2, 'and a change to its value');

  await view.event('set', { price: 'explode' });
  t.same(view.errors.map((e) => e.code), ['LV_TEMPLATE_FILTER_FAILED'], 'an error frame with the stable code');
  t.match(app.logs.find((l) => l.code === 'LV_TEMPLATE_FILTER_FAILED'), { msg: 'PricesView failed: LV_TEMPLATE_FILTER_FAILED' }, 'logged');
  t.notMatch(JSON.stringify(view.errors), /not a price/, 'the client is not told what the filter threw');

  await other.event('inc');
  t.equal(other.find('#n')?.text, '1', 'another view keeps working');
  await view.event('set', { price: 100, note: 'fixed' });
  t.equal(view.find('#price')?.text, '1.00 USD', 'the same view renders again once the value is fine');
  t.equal(view.find('#note')?.text, 'fixed');
  await Promise.all([view.close(), other.close()]);
});

t.test('a template using an unknown filter stops startup with livery.C005 and file:line:column', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'livery-filters-'));
  writeFileSync(join(dir, 'bad.html'), '<p>\n  {{ price|monye }}</p>\n');
  const error = await createServer({ templatesDir: dir, filters, handleSignals: false, logLevel: 'silent' }).then(
    async (server) => server.close(),
    (e: unknown) => e,
  );
  t.ok(error instanceof StartupError);
  t.match((error as Error).message, 'livery.C005');
  t.match((error as Error).message, "bad.html:2:3: Invalid filter: 'monye'");
});

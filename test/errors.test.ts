import { readFileSync } from 'node:fs';
import t from 'tap';
import { errors, LiveryError } from '../server/errors.ts';

const docs = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map<string, string>();
for (const match of docs.matchAll(/^\| `(LV_[A-Z_]+)` \| ([^|]+) \|/gm)) documented.set(match[1], match[2].trim());

t.test('every registry code is documented with how it travels', async (t) => {
  for (const [code, spec] of Object.entries(errors) as Array<[string, { close?: number; status?: number; test?: true }]>) {
    const how = spec.test ? 'thrown in tests' : spec.close ? `close ${spec.close}` : spec.status ? `HTTP ${spec.status}` : 'error frame';
    t.equal(documented.get(code), how, `${code} documented as "${how}"`);
  }
});

t.test('docs name no code the registry lacks', async (t) => {
  for (const code of documented.keys()) t.ok(code in errors, `${code} exists in server/errors.ts`);
  t.ok(documented.size >= 20, 'the table was parsed');
});

t.test('codes are stable LV_ names with actionable messages', async (t) => {
  for (const [code, spec] of Object.entries(errors)) {
    t.match(code, /^LV_[A-Z]+(_[A-Z]+)*$/);
    t.ok(spec.message.length > 20 && /[.)]$/.test(spec.message), `${code} has a full message`);
  }
});

t.test('LiveryError carries code, detail and status', async (t) => {
  const error = new LiveryError('LV_ROUTE_NOT_FOUND', '/nope');
  t.equal(error.code, 'LV_ROUTE_NOT_FOUND');
  t.equal(error.status, 404);
  t.match(error.message, /No live view is routed at this path\. \(\/nope\)/);
  t.equal(new LiveryError('LV_EVENT_UNKNOWN').status, 500, 'frame errors default to 500 if ever sent over HTTP');
});

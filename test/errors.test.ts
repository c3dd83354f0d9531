import { readFileSync } from 'node:fs';
import t from 'tap';
import { errors, LiveryError } from '../server/errors.ts';

const docs = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map<string, string>();
for (const match of docs.matchAll(/^\| `(LV_[A-Z_]+)` \| ([^|]+) \|/gm)) documented.set(match[1], match[2].trim());

t.test('every registry code is documented with how it travels', async (t) => {
  for (const [code, spec] of Object.entries(errors) as Array<[string, { close?: number; status?: number; test?: true; startup?: true; warning?: true }]>) {
    const how = spec.test ? 'thrown in tests' : spec.startup ? 'thrown at startup' : spec.warning ? 'logged at startup' : spec.close ? `close ${spec.close}` : spec.status ? `HTTP ${spec.status}` : 'error frame';
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

t.test('every error class Livery raises is a LiveryError with a registry code', async (t) => {
  const { RedisUnavailableError } = await import('../server/redis/redis-errors.ts');
  const { StateQuotaError, StateTooLargeError } = await import('../server/state/redis-state-backend.ts');
  const { DataError } = await import('../server/data/errors.ts');
  const { TemplateSyntaxError, TemplateDoesNotExist, TemplateValueError, TemplateCompileErrors } = await import('../server/template/errors.ts');
  const { StartupError } = await import('../server/config/checks.ts');
  const loc = { file: 'x.html', line: 1, column: 2 };
  const raised = [
    new RedisUnavailableError('GET', { cause: new Error('Command timed out') }),
    new StateTooLargeError('lv:{t}:state:1', 1),
    new StateQuotaError('t', 1, 1),
    new DataError('LV_TENANT_REQUIRED'),
    new TemplateSyntaxError(loc, 'bad'),
    new TemplateDoesNotExist('y.html', 'templates/'),
    new TemplateValueError(loc, 'bad value'),
    new TemplateCompileErrors([new Error('one')]),
    new StartupError([{ id: 'livery.C005', detail: 'bad' }]),
  ];
  for (const error of raised) {
    t.ok(error instanceof LiveryError, `${error.name} is a LiveryError`);
    t.ok(error.code in errors, `${error.name}'s ${error.code} is in the registry`);
  }
  t.match(raised[0].message, /^Redis is unavailable \(GET: Command timed out\)/, 'a subclass keeps its own wording');
  t.equal(raised[0].status, 503);
  t.ok(raised[0].serverFault, 'an outage is the server\'s fault (logged)');
  t.notOk(new LiveryError('LV_TOKEN_EXPIRED').serverFault, 'a stale token is not');
});

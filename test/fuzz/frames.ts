/**
 * Generated client frames: fast-check arbitraries of *frame specs* (plain data, so a failing case
 * prints readably and shrinks), rendered to bytes against a live session — its join tokens, the
 * socket's ref counter — only when sent.
 *
 * Most frames are the four real shapes (join, event, leave, heartbeat) with each field valid or
 * hostile; valid tokens, view names, event names and payloads for the example app's views are
 * mixed in so that frames reach mount, adopt, takeover, handlers, SQL, presence and broadcast.
 * The rest are what a hostile client sends instead: other JSON, random text, deep nesting,
 * frames around and over the size limits, binary frames, invalid UTF-8, and valid frames cut,
 * spliced or padded on the wire.
 */
import fc from 'fast-check';

/** The example app's views as the fuzzer knows them: their names and declared events. */
export const VIEWS = [
  { name: 'CounterView', path: '/counter', events: { inc: 'none', dec: 'none' } },
  { name: 'SearchView', path: '/search', events: { search: 'q' } },
  { name: 'ProjectsView', path: '/projects', events: { add: 'name', wave: 'none' } },
  { name: 'ClockView', path: '/clock', events: {} },
  { name: 'HomeView', path: '/', events: {} },
  // Nested in the home page (`{% live "ClockBadgeView" id="clock" %}`, D81): its token is its container's.
  { name: 'ClockBadgeView', path: '/', nested: true, events: {} },
] as const;

/** The example's live component events (the home page's Stepper, D80): sent with a cid, or to a view. */
const COMPONENT_EVENTS: Array<[name: string, field: 'none']> = [['smaller', 'none'], ['bigger', 'none'], ['add', 'none']];

/** Every event name some example view or component declares, with the payload field it takes. */
const EVENTS: Array<[name: string, field: 'none' | 'q' | 'name']> = [...VIEWS.flatMap((view) => Object.entries(view.events) as Array<[string, 'none' | 'q' | 'name']>), ...COMPONENT_EVENTS];

/** Tenants a run's socket may be on (index into the session's token sets). */
export const TENANTS = [
  { id: 'public', host: (port: number) => `localhost:${port}` },
  { id: 'acme', host: (port: number) => `acme.localhost:${port}` },
] as const;

/** A literal spliced into the JSON text as is: numbers and values JSON.stringify cannot produce. */
type Literal = { readonly literal: string };
type Raw = { readonly raw: unknown } | Literal;

export type RefSpec = 'next' | Raw;
export type VidSpec = { readonly slot: number } | Raw;
export type TokenSpec =
  | { readonly token: number; readonly tenant: number; readonly session: 'own' | 'other' }
  | { readonly token: number; readonly tenant: number; readonly mutation: TokenMutation }
  | Raw;
export type ViewNameSpec = { readonly view: number } | 'token' | Raw;
export type EventSpec = { readonly event: number } | Raw;
export type PayloadSpec = { readonly valid: string } | { readonly deep: number; readonly open: string } | Raw;
/** An event's cid (its seventh member, D80): a small number (the home page shows cid 1), or anything at all, or nested deep. */
export type CidSpec = { readonly cid: number } | { readonly deep: number; readonly open: string } | Raw;
export type TokenMutation =
  | { readonly op: 'flip'; readonly at: number; readonly char: string }
  | { readonly op: 'cut'; readonly at: number }
  | { readonly op: 'append'; readonly text: string }
  | { readonly op: 'base64'; }
  | { readonly op: 'segment'; readonly drop: number };

export type Body =
  | { readonly type: 'join'; readonly ref: RefSpec; readonly vid: VidSpec; readonly view: ViewNameSpec; readonly token: TokenSpec }
  | { readonly type: 'event'; readonly ref: RefSpec; readonly vid: VidSpec; readonly event: EventSpec; readonly payload: PayloadSpec; readonly cid?: CidSpec }
  | { readonly type: 'leave'; readonly ref: RefSpec; readonly vid: VidSpec }
  | { readonly type: 'heartbeat'; readonly ref: RefSpec }
  | { readonly type: 'patch' | 'navigate'; readonly ref: RefSpec; readonly vid: VidSpec; readonly url: UrlSpec }
  | { readonly type: 'other'; readonly frameType: unknown; readonly ref: RefSpec; readonly rest: readonly unknown[] }
  | { readonly type: 'json'; readonly value: unknown }
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'nested'; readonly depth: number; readonly open: string }
  | { readonly type: 'sized'; readonly bytes: number }
  | { readonly type: 'binary'; readonly bytes: readonly number[] }
  | { readonly type: 'badUtf8'; readonly at: number; readonly sequence: readonly number[] };

/** A URL for patch and navigate: the example's own paths, or what a hostile client writes instead. */
export type UrlSpec = { readonly url: string } | Raw;

export type WireMutation =
  | { readonly op: 'cut'; readonly at: number }
  | { readonly op: 'splice'; readonly at: number; readonly text: string }
  | { readonly op: 'replace'; readonly at: number; readonly char: string }
  | { readonly op: 'pad'; readonly left: string; readonly right: string }
  | { readonly op: 'twice' };

export interface FrameSpec {
  readonly body: Body;
  /** Replaces the version element (valid: 2). */
  readonly version?: Raw;
  /** Elements appended after the frame's own. */
  readonly extra?: readonly unknown[];
  readonly wire?: WireMutation;
}

export interface RunSpec {
  /** Which fuzz session (cookie and tokens) the socket belongs to. */
  readonly session: number;
  /** Which tenant's host the socket opens on. */
  readonly tenant: number;
  /** Views joined validly before the fuzzed frames (vids 1…n), so events reach real handlers. */
  readonly prelude: readonly number[];
  readonly frames: readonly FrameSpec[];
}

// ---- hostile values ------------------------------------------------------------------------

const NAMES = ['', ' ', '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'then',
  'mount', 'tick', 'handleInfo', 'onJoin', 'onSave', 'onPresence', 'terminate', 'state', 'tenant', 'events', 'template',
  'inc ', 'INC', 'inc\u0000', 'search\n', 'CounterView ', 'counterview', 'Counter View', '../CounterView', 'ﬁ', '\u202eCounterView'];

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, -0, 0.5, 1.5, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, -(2 ** 53)),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const NUMBER_LITERALS = ['1e400', '-1e400', '1.0', '1e0', '0.1e1', '-0', '1E+0', '100000000000000000000000', '1.0000000000000001', '5e-324'];

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 4_000 }).map((n) => 'x'.repeat(n)) },
);

const PROTO_LITERALS = [
  '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"__proto__":null}',
  '{"q":"x","__proto__":{"q":1}}', '{"name":"x","__proto__":[]}', '{"toString":1,"valueOf":2}', '{"q":{"toString":"x"}}',
];

/** Any value a client could put in a field: wrong types, prototype keys, odd numbers and strings. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileNumber },
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(hostileNumber, { maxLength: 4 }) },
);

const raw = (value: fc.Arbitrary<unknown>): fc.Arbitrary<Raw> => value.map((v) => ({ raw: v }));
const literal = (texts: readonly string[]): fc.Arbitrary<Raw> => fc.constantFrom(...texts).map((text) => ({ literal: text }));
/** A field: mostly its valid placeholder, sometimes anything at all. */
const field = <T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<Raw>, validWeight = 4): fc.Arbitrary<T | Raw> =>
  fc.oneof({ weight: validWeight, arbitrary: valid }, { weight: 1, arbitrary: hostile });

const refSpec: fc.Arbitrary<RefSpec> = field(fc.constant('next' as const), fc.oneof(raw(hostileValue), literal(NUMBER_LITERALS)), 8);
const vidSpec: fc.Arbitrary<VidSpec> = field(fc.integer({ min: 1, max: 5 }).map((slot) => ({ slot })), fc.oneof(raw(hostileValue), literal(NUMBER_LITERALS)));

const tokenMutation: fc.Arbitrary<TokenMutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), char: fc.constantFrom('A', '_', '-', '.', '=', '+', '/', ' ', 'é', '\u0000') }),
  fc.record({ op: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }) }),
  fc.record({ op: fc.constant('append' as const), text: fc.constantFrom('=', '==', ' ', '.', '.x', 'A', '\n', '%3D') }),
  fc.record({ op: fc.constant('base64' as const) }),
  fc.record({ op: fc.constant('segment' as const), drop: fc.integer({ min: 0, max: 2 }) }),
);
const tokenIndex = fc.integer({ min: 0, max: VIEWS.length - 1 });
const tenantIndex = fc.integer({ min: 0, max: TENANTS.length - 1 });
const tokenSpec: fc.Arbitrary<TokenSpec> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ token: tokenIndex, tenant: tenantIndex, session: fc.constantFrom<'own' | 'other'>('own', 'own', 'own', 'other') }) },
  { weight: 2, arbitrary: fc.record({ token: tokenIndex, tenant: tenantIndex, mutation: tokenMutation }) },
  { weight: 1, arbitrary: raw(hostileValue) },
);
const viewNameSpec: fc.Arbitrary<ViewNameSpec> = fc.oneof(
  { weight: 5, arbitrary: fc.constant('token' as const) },
  { weight: 2, arbitrary: fc.record({ view: fc.integer({ min: 0, max: VIEWS.length - 1 }) }) },
  { weight: 1, arbitrary: raw(hostileValue) },
);
const eventSpec: fc.Arbitrary<EventSpec> = field(fc.integer({ min: 0, max: EVENTS.length - 1 }).map((event) => ({ event })), raw(hostileValue));

/** Payloads for the valid events: strings of every kind, sometimes too long, sometimes with extra keys. */
const validPayload: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: 150, max: 260 }).map((n) => 'q'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a', 'amber', 'x\u0000y', '\u0000', '<script>alert(1)</script>', "'; DROP TABLE projects; --", '%s%n', '${x}', '{{ x }}', '{% x %}') },
);
const payloadSpec: fc.Arbitrary<PayloadSpec> = fc.oneof(
  { weight: 6, arbitrary: validPayload.map((valid) => ({ valid })) },
  { weight: 2, arbitrary: raw(hostileValue) },
  { weight: 1, arbitrary: literal(PROTO_LITERALS) },
  { weight: 1, arbitrary: fc.record({ deep: depth(12_000), open: fc.constantFrom('[', '{"q":', '{"name":') }) },
);

const cidSpec: fc.Arbitrary<CidSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 3 }).map((cid) => ({ cid })) },
  { weight: 2, arbitrary: raw(hostileValue) },
  { weight: 1, arbitrary: literal(NUMBER_LITERALS) },
  { weight: 1, arbitrary: fc.record({ deep: depth(20_000), open: fc.constantFrom('[', '{"a":') }) },
);

/** Nesting depths: mostly hundreds, sometimes up to `max` (what fits in a frame). */
function depth(max: number): fc.Arbitrary<number> {
  return fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 2, max: 500 }) }, { weight: 1, arbitrary: fc.integer({ min: 500, max }) });
}

// Weights: mostly the real shapes; frames that end the socket (too large, wrong version,
// invalid UTF-8) are a few percent, or the run would be reconnecting more than fuzzing.
const URLS = ['/counter', '/search?q=amber', '/search?q=', '/projects', '/projects/rocket-skates', '/clock', '/', '/files',
  '/nope', '//evil.example/x', 'http://evil.example/', 'javascript:alert(1)', '\\\\evil', '/a\u0000b', '/a#frag', '/t/globex/projects',
  '/../etc/passwd', '/search?q=%00', '/%2e%2e/', ' /counter', '/counter\n'];
const urlSpec: fc.Arbitrary<UrlSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...URLS).map((url) => ({ url })) },
  { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 5_000 }).map((n) => ({ url: `/search?q=${'a'.repeat(n)}` })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => ({ url: `/${s}` })) },
  { weight: 1, arbitrary: raw(hostileValue) },
);

const frameBody: fc.Arbitrary<Body> = fc.oneof(
  { weight: 20, arbitrary: fc.record({ type: fc.constant('join' as const), ref: refSpec, vid: vidSpec, view: viewNameSpec, token: tokenSpec }) },
  { weight: 32, arbitrary: fc.record({ type: fc.constant('event' as const), ref: refSpec, vid: vidSpec, event: eventSpec, payload: payloadSpec }) },
  { weight: 8, arbitrary: fc.record({ type: fc.constant('event' as const), ref: refSpec, vid: vidSpec, event: eventSpec, payload: payloadSpec, cid: cidSpec }) },
  { weight: 8, arbitrary: fc.record({ type: fc.constant('leave' as const), ref: refSpec, vid: vidSpec }) },
  { weight: 8, arbitrary: fc.record({ type: fc.constant('heartbeat' as const), ref: refSpec }) },
  { weight: 6, arbitrary: fc.record({ type: fc.constantFrom('patch' as const, 'navigate' as const), ref: refSpec, vid: vidSpec, url: urlSpec }) },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('other' as const), frameType: fc.oneof(fc.constantFrom('r', 'd', 'x', 'o', 'J', 'jj', 'h ', ''), hostileValue), ref: refSpec, rest: fc.array(hostileValue, { maxLength: 4 }) }) },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('json' as const), value: fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.array(hostileValue, { maxLength: 3 })) }) },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('text' as const), text: fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 })) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('nested' as const), depth: depth(40_000), open: fc.constantFrom('[', '[2,"e",', '{"a":', '[2,"e",1,1,"inc",') }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('sized' as const), bytes: fc.oneof(fc.constantFrom(65_535, 65_536, 65_537, 262_144, 262_145), fc.integer({ min: 30_000, max: 300_000 })) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('binary' as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }) }) },
  { weight: 1, arbitrary: fc.record({
    type: fc.constant('badUtf8' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    sequence: fc.constantFrom([0xff], [0xfe], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]),
  }) },
);

const wireMutation: fc.Arbitrary<WireMutation> = fc.oneof(
  fc.record({ op: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }) }),
  fc.record({ op: fc.constant('splice' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), text: fc.oneof(fc.constantFrom(',', ']', '[', '"', '\\', '{', '}', ':', 'null', ',,', '\\u0000', '\\ud800'), fc.string({ maxLength: 8 })) }),
  fc.record({ op: fc.constant('replace' as const), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), char: fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }) }),
  fc.record({ op: fc.constant('pad' as const), left: fc.constantFrom('', ' ', '\n', '\t', '\ufeff'), right: fc.constantFrom('', ' ', '\n', 'x', '\u0000') }),
  fc.constant({ op: 'twice' as const }),
);

export const frameSpec: fc.Arbitrary<FrameSpec> = fc.record(
  {
    body: frameBody,
    version: field(fc.constant(undefined), fc.oneof(raw(fc.oneof(fc.constantFrom(0, 1, 3, '2', null, [2], true), hostileNumber)), literal(['2.0', '2e0', '20e-1'])), 60),
    extra: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.array(hostileValue, { minLength: 1, maxLength: 3 }) }),
    wire: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: wireMutation }),
  },
  { requiredKeys: ['body'] },
).map((spec) => {
  // Drop the keys left undefined: shorter counterexamples.
  const out: { body: Body; version?: Raw; extra?: readonly unknown[]; wire?: WireMutation } = { body: spec.body };
  if (spec.version !== undefined) out.version = spec.version as Raw;
  if (spec.extra !== undefined) out.extra = spec.extra;
  if (spec.wire !== undefined) out.wire = spec.wire;
  return out;
});

export function runSpec(sessions: number, maxFrames: number): fc.Arbitrary<RunSpec> {
  return fc.record({
    session: fc.integer({ min: 0, max: sessions - 1 }),
    tenant: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }),
    prelude: fc.subarray([0, 1, 2, 3, 4, 5]),
    frames: fc.array(frameSpec, { minLength: 1, maxLength: maxFrames, size: 'max' }),
  });
}

// ---- rendering ----------------------------------------------------------------------------

/** What rendering a frame needs from the run: the socket's refs and the session's tokens. */
export interface RenderContext {
  nextRef(): number;
  /** The join token of `view` on `tenant` for this run's session, or another session's. */
  token(view: number, tenant: number, session: 'own' | 'other'): string;
}

/** A frame ready to send: its bytes and whether they go out as a binary frame. */
export interface Rendered {
  readonly bytes: Buffer;
  readonly binary: boolean;
}

const MARK = '\u0000LIT';

export function render(spec: FrameSpec, ctx: RenderContext): Rendered {
  const body = spec.body;
  if (body.type === 'binary') return { bytes: Buffer.from(body.bytes), binary: true };
  if (body.type === 'text') return text(body.text, spec.wire);
  if (body.type === 'json') return text(JSON.stringify(body.value) ?? 'null', spec.wire);
  if (body.type === 'nested') return text(nested(body.depth, body.open), spec.wire);
  if (body.type === 'sized') return text(sized(body.bytes, ctx.nextRef()), spec.wire);
  if (body.type === 'badUtf8') {
    const frame = Buffer.from(JSON.stringify([2, 'e', ctx.nextRef(), 1, 'search', { q: 'amber' }]));
    const at = Math.floor(body.at * frame.length);
    return { bytes: Buffer.concat([frame.subarray(0, at), Buffer.from(body.sequence), frame.subarray(at)]), binary: false };
  }
  const literals: string[] = [];
  const value = (v: unknown): unknown => {
    if (typeof v === 'object' && v !== null && 'literal' in v) {
      literals.push((v as Literal).literal);
      return MARK + (literals.length - 1);
    }
    if (typeof v === 'object' && v !== null && 'raw' in v) return (v as { raw: unknown }).raw;
    return v;
  };
  const ref = body.ref === 'next' ? ctx.nextRef() : value(body.ref);
  const vid = (v: VidSpec) => ('slot' in v ? v.slot : value(v));
  let elements: unknown[];
  switch (body.type) {
    case 'join': {
      const tokenView = 'token' in body.token ? body.token.token : 0;
      const view = body.view === 'token' ? VIEWS[tokenView].name : 'view' in body.view ? VIEWS[body.view.view].name : value(body.view);
      elements = ['j', ref, vid(body.vid), view, token(body.token, ctx, value)];
      break;
    }
    case 'event': {
      const [name, field] = 'event' in body.event ? EVENTS[body.event.event] : [value(body.event), 'none'];
      elements = ['e', ref, vid(body.vid), name, payload(body.payload, field, value)];
      if (body.cid !== undefined) elements.push('cid' in body.cid ? body.cid.cid : 'deep' in body.cid ? value({ literal: nested(body.cid.deep, body.cid.open) }) : value(body.cid));
      break;
    }
    case 'leave':
      elements = ['l', ref, vid(body.vid)];
      break;
    case 'heartbeat':
      elements = ['h', ref];
      break;
    case 'patch':
    case 'navigate':
      elements = [body.type === 'patch' ? 'p' : 'n', ref, vid(body.vid), 'url' in body.url ? body.url.url : value(body.url)];
      break;
    case 'other':
      elements = [body.frameType, ref, ...body.rest];
      break;
  }
  const version = spec.version === undefined ? 2 : value(spec.version);
  let json = JSON.stringify([version, ...elements, ...(spec.extra ?? [])]);
  for (let i = 0; i < literals.length; i++) json = json.replace(JSON.stringify(MARK + i), literals[i]);
  return text(json, spec.wire);
}

function token(spec: TokenSpec, ctx: RenderContext, value: (v: unknown) => unknown): unknown {
  if (!('token' in spec)) return value(spec);
  if ('session' in spec) return ctx.token(spec.token, spec.tenant, spec.session);
  const valid = ctx.token(spec.token, spec.tenant, 'own');
  const m = spec.mutation;
  switch (m.op) {
    case 'flip': {
      const at = Math.floor(m.at * valid.length);
      return valid.slice(0, at) + m.char + valid.slice(at + 1);
    }
    case 'cut':
      return valid.slice(0, Math.floor(m.at * valid.length));
    case 'append':
      return valid + m.text;
    case 'base64':
      return valid.replaceAll('-', '+').replaceAll('_', '/');
    case 'segment':
      return valid.split('.').filter((_, i) => i !== m.drop).join('.');
  }
}

function payload(spec: PayloadSpec, field: string, value: (v: unknown) => unknown): unknown {
  if ('valid' in spec) return field === 'none' ? {} : { [field]: spec.valid };
  if ('deep' in spec) return value({ literal: nested(spec.deep, spec.open) });
  return value(spec);
}

function nested(depth: number, open: string): string {
  const close = open.startsWith('{') ? '}' : ']';
  return open.repeat(depth) + '1' + close.repeat(depth);
}

/** A valid event frame padded to `bytes` (the size limits are about bytes, not shape). */
function sized(bytes: number, ref: number): string {
  const head = JSON.stringify([2, 'e', ref, 1, 'search', { q: '' }]);
  return head.replace('"q":""', `"q":"${'s'.repeat(Math.max(0, bytes - head.length))}"`);
}

function text(json: string, wire: WireMutation | undefined): Rendered {
  return { bytes: Buffer.from(mutate(json, wire)), binary: false };
}

function mutate(json: string, wire: WireMutation | undefined): string {
  if (wire === undefined) return json;
  switch (wire.op) {
    case 'cut':
      return json.slice(0, Math.floor(wire.at * json.length));
    case 'splice': {
      const at = Math.floor(wire.at * json.length);
      return json.slice(0, at) + wire.text + json.slice(at);
    }
    case 'replace': {
      const at = Math.floor(wire.at * json.length);
      return json.slice(0, at) + wire.char + json.slice(at + 1);
    }
    case 'pad':
      return wire.left + json + wire.right;
    case 'twice':
      return json + json;
  }
}

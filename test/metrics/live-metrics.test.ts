/**
 * The metrics count what real sockets do: joins, events, renders, frames and bytes, every error
 * frame by its code and every close by its code, event latency, tick lag, state backend latency,
 * Redis round trips — scraped over HTTP from a real server after real traffic. Where the client
 * can see what was sent (frames, bytes, error codes), the counts must equal what it received.
 */
import t, { type Test } from 'tap';
import { LiveView, route } from '../../server/index.ts';
import { routes as fixtureRoutes } from '../live/fixtures/views.ts';
import { getPage, httpGet, LiveClient, startServer, trySocket, type Frame, type TestServer } from '../live/harness.ts';
import { LATENCY_SAMPLE } from '../../server/metrics/index.ts';
import { scrape, type Scrape } from './prom.ts';

/** A view that holds one of everything runtime.counts() counts: a subscription, a presence entry, a timer. */
class HoldingView extends LiveView<{ log: string[] }> {
  static template = 'log.html';
  static events = { wait: null };
  mount() { return { log: [] as string[] }; }
  async onJoin() {
    await this.subscribe('room');
    await this.track('room', { here: true });
  }
  wait() { this.sendSelf('much later', 600_000); }
  handleInfo() {}
}

const routes = [...fixtureRoutes, route('/holding', HoldingView)];

/** A client that also records every frame's raw text and the codes of error frames it got. */
async function open(s: TestServer, cookie?: string): Promise<LiveClient & { texts: string[]; codes: string[] }> {
  const client = await LiveClient.open(s.url, cookie === undefined ? {} : { cookie });
  const recorded = Object.assign(client, { texts: [] as string[], codes: [] as string[] });
  client.ws.on('message', (data) => {
    const text = String(data);
    recorded.texts.push(text);
    const frame = JSON.parse(text) as Frame;
    if (frame[1] === 'x') recorded.codes.push(String(frame[4]));
  });
  return recorded;
}

/** `read()` once `done` holds of it, polled; after 15 s (only a hang takes that long) whatever it is then. */
async function settled<T>(read: () => T, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  let value = read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    value = read();
  }
  return value;
}

/** A page of `path` and a socket that joined its view (closed in teardown). */
async function joined(t: Test, s: TestServer, path: string) {
  const page = await getPage(s.url, path);
  const client = await open(s, page.cookie);
  t.teardown(() => client.close());
  await client.join(1, page.view, page.token);
  return { page, client };
}

function metricsUrl(s: TestServer): string {
  return `http://127.0.0.1:${s.server.app.livery.metricsListener!.port}/_livery/metrics`;
}

/** Waits (bounded) until the socket closed. */
function closed(client: LiveClient): Promise<number> {
  return Promise.race([client.closed, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('not closed')), 15_000))]);
}

function errorDeltas(before: Scrape, after: Scrape): Record<string, number> {
  const deltas: Record<string, number> = {};
  for (const sample of after.all('livery_errors_total')) {
    const delta = sample.value - before.value('livery_errors_total', sample.labels);
    if (delta !== 0) deltas[sample.labels.code!] = delta;
  }
  return deltas;
}

/** The codes of error frames a client got and nobody awaited (a refused socket's, before its close). */
function queuedCodes(client: LiveClient): string[] {
  return client.frames.filter((frame) => frame[1] === 'x').map((frame) => String(frame[4]));
}

function tally(codes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}

t.test('joins, events, renders, frames, bytes and latency follow real traffic', async (t) => {
  const s = await startServer({ routes, metrics: { port: 0 } });
  t.teardown(() => s.close());
  const url = metricsUrl(s);
  const page = await getPage(s.url, '/counter');
  const start = await scrape(url);
  t.equal(start.value('livery_state_backend_seconds_count', { backend: 'memory', op: 'save' }), 1, 'the page render saved its state once (timed)');

  const client = await open(s, page.cookie);
  t.teardown(() => client.close());
  await client.join(1, page.view, page.token);
  const joined = await scrape(url);
  t.equal(joined.value('livery_joins_total') - start.value('livery_joins_total'), 1, 'one join');
  t.equal(joined.value('livery_sockets'), 1);
  t.equal(joined.value('livery_views'), 1);
  t.equal(joined.value('livery_mounts_total'), 1, 'mount ran once, for the page');
  t.equal(joined.value('livery_state_backend_seconds_count', { backend: 'memory', op: 'load' }), 1, 'the join loaded the state (timed)');

  client.texts.length = 0;
  // Events that run at once and synchronously are timed one in LATENCY_SAMPLE, counted that often.
  for (let i = 0; i < LATENCY_SAMPLE; i++) t.equal((await client.event(1, 'inc'))[1], 'r');
  const after = await scrape(url);
  t.equal(after.value('livery_events_total') - joined.value('livery_events_total'), LATENCY_SAMPLE, 'every event counted');
  t.equal(after.value('livery_renders_total') - joined.value('livery_renders_total'), LATENCY_SAMPLE, 'every render');
  t.equal(after.value('livery_event_latency_seconds_count') - joined.value('livery_event_latency_seconds_count'), LATENCY_SAMPLE, 'their latency sampled, standing for all of them');
  t.ok(after.value('livery_event_latency_seconds_sum') > joined.value('livery_event_latency_seconds_sum'), 'taking time');
  t.equal(after.value('livery_event_latency_seconds_bucket', { le: '+Inf' }), after.value('livery_event_latency_seconds_count'), 'the +Inf bucket holds them all');
  t.equal(after.value('livery_frames_sent_total') - joined.value('livery_frames_sent_total'), client.texts.length, 'frames sent = frames the client got');
  t.equal(after.value('livery_sent_bytes_total') - joined.value('livery_sent_bytes_total'), client.texts.reduce((n, text) => n + text.length, 0), 'and their bytes');
  t.equal(after.types.get('livery_event_latency_seconds'), 'histogram');

  await client.close();
  const closedScrape = await scrape(url);
  t.equal(closedScrape.value('livery_sockets'), 0, 'the socket is gone');
  t.equal(closedScrape.value('livery_state_backend_seconds_count', { backend: 'memory', op: 'save' }), 2, 'and saved its state on close');
  t.equal(closedScrape.value('livery_socket_closes_total', { code: '1005' }), 1, 'a close without a status, counted by its code');
});

t.test('events that wait or await are each timed', async (t) => {
  const s = await startServer({ routes, metrics: { port: 0 } });
  t.teardown(() => s.close());
  const url = metricsUrl(s);
  const { client } = await joined(t, s, '/slow');
  const before = await scrape(url);
  // An async handler (60 ms), then one queued behind it: both timed exactly, not sampled.
  client.send([2, 'e', client.nextRef(), 1, 'slow', {}]);
  client.send([2, 'e', client.nextRef(), 1, 'fast', {}]);
  const replies: unknown[] = [];
  while (replies.length < 2) {
    const frame = await client.next();
    if (frame[1] === 'r') replies.push(frame);
  }
  const after = await scrape(url);
  const count = (s: Scrape, le?: string) => (le === undefined ? s.value('livery_event_latency_seconds_count') : s.value('livery_event_latency_seconds_bucket', { le }));
  t.equal(count(after) - count(before), 2, 'both timed, one observation each');
  // A lower bound by construction (the handler sleeps 60 ms; the bound leaves room for a stale loop clock).
  t.equal(count(after, '0.025') - count(before, '0.025'), 0, 'neither within 25 ms: the queued one waited for the slow one');
});

t.test('every error frame is counted by its code, every close by its code', async (t) => {
  const s = await startServer({ routes, metrics: { port: 0 }, socket: { ratePerSecond: 1, rateBurst: 40, maxFrameBytes: 1024 } });
  t.teardown(() => s.close());
  const url = metricsUrl(s);
  const before = await scrape(url);
  const { page, client } = await joined(t, s, '/counter');
  const nextError = () => client.nextErrorCode();

  client.send([2, 'e', client.nextRef(), 1, 'boom', {}]);
  t.equal(await nextError(), 'LV_HANDLER_FAILED');
  client.send([2, 'e', client.nextRef(), 1, 'nope', {}]);
  t.equal(await nextError(), 'LV_EVENT_UNKNOWN');
  client.send([2, 'e', client.nextRef(), 1, 'set', { value: 'x' }]);
  t.equal(await nextError(), 'LV_EVENT_PAYLOAD_INVALID');
  client.sendRaw('{"not json');
  t.equal(await nextError(), 'LV_FRAME_MALFORMED');
  client.sendRaw(Buffer.from([1, 2, 3]), true);
  t.equal(await nextError(), 'LV_BINARY_FRAME');
  client.send([2, 'j', client.nextRef(), 2, page.view, page.token.slice(0, -4) + 'AAAA']);
  t.equal(await nextError(), 'LV_TOKEN_INVALID');
  // Past the burst (40, refilled at 1/s): frames to a view that is not joined, answered first
  // LV_VIEW_NOT_JOINED, then LV_RATE_LIMITED.
  for (let i = 0; i < 100; i++) client.send([2, 'e', client.nextRef(), 9, 'inc', {}]);
  const flood: string[] = [];
  for (let i = 0; i < 100; i++) flood.push(await nextError());
  t.ok(flood.includes('LV_RATE_LIMITED'), 'the flood hit the rate limit');

  // A refused upgrade (HTTP) and a socket refused after it (error frame, close 4401).
  t.equal((await trySocket(s.url, { origin: 'https://evil.example' })).code, 'LV_ORIGIN_FORBIDDEN');
  const stranger = await LiveClient.open(s.url, { cookie: 'lv_sid=' + 'A'.repeat(43) });
  t.equal(await closed(stranger), 4401);
  // A frame over the size limit: error frame, then close 1009.
  const big = await LiveClient.open(s.url);
  big.sendRaw(JSON.stringify([2, 'h', 1, 'x'.repeat(2000)]));
  t.equal(await closed(big), 1009);
  // A client may close with any code from 3000 to 4999: one Livery does not use counts as `other`.
  const odd = await LiveClient.open(s.url);
  odd.ws.close(4123, 'made up');
  await closed(odd);

  const after = await scrape(url);
  const expected = tally([...client.codes, ...queuedCodes(stranger), ...queuedCodes(big)]);
  expected.LV_ORIGIN_FORBIDDEN = (expected.LV_ORIGIN_FORBIDDEN ?? 0) + 1; // the refused upgrade's HTTP answer
  t.same(errorDeltas(before, after), expected, 'each code counted exactly as often as it was sent');
  t.match(expected, { LV_HANDLER_FAILED: 1, LV_EVENT_UNKNOWN: 1, LV_TOKEN_INVALID: 1, LV_SESSION_UNKNOWN: 1, LV_FRAME_TOO_LARGE: 1 });
  t.equal(after.value('livery_socket_closes_total', { code: '4401' }), 1, 'the refused socket\'s close');
  t.equal(after.value('livery_socket_closes_total', { code: '1009' }), 1, 'the oversized frame\'s close');
  t.equal(after.value('livery_socket_closes_total', { code: 'other' }), 1, 'a made-up close code is `other`');
  t.notOk(after.all('livery_socket_closes_total').some((s) => s.labels.code === '4123'), 'never a label of its own');
  t.notOk(after.all('livery_errors_total').some((s) => !/^LV_[A-Z_]+$|^other$/.test(s.labels.code!)), 'labels are registry codes only');
});

t.test('tick lag, live counts and their release when sockets leave', async (t) => {
  const s = await startServer({ routes, metrics: { port: 0 } });
  t.teardown(() => s.close());
  const url = metricsUrl(s);
  const runtime = s.server.app.livery.runtime;

  const { client: tickClient } = await joined(t, s, '/ticker');
  for (let i = 0; i < 3; i++) t.equal((await tickClient.next())[1], 'd', 'a tick pushed a diff');
  const ticking = await scrape(url);
  t.ok(ticking.value('livery_tick_lag_seconds_count') >= 3, 'each tick\'s lag observed');
  t.equal(ticking.value('livery_scheduled_ticks'), 1, 'one ticking view');

  const { client: holder } = await joined(t, s, '/holding');
  t.equal((await holder.event(1, 'wait'))[1], 'r');
  const counts = runtime.counts();
  t.match(counts, { connections: 2, views: 2, timers: 1, presence: 1 }, 'runtime.counts(): both sockets, their views, the timer and the presence entry');
  t.ok(counts.subscriptions! >= 1, 'and the subscription');
  const held = await scrape(url);
  t.equal(held.value('livery_timers'), 1, 'exported as gauges');
  t.equal(held.value('livery_presence_entries'), 1);
  t.equal(held.value('livery_subscriptions'), counts.subscriptions);
  t.equal(held.value('livery_state_entries'), counts.states, 'states held by the memory backend');

  await holder.close();
  await tickClient.close();
  // Leaving is asynchronous (unsubscribe, untrack, then save): wait for it, bounded.
  const released = await settled(() => runtime.counts(), (c) => c.connections === 0 && c.states === 2);
  t.match(released, { connections: 0, views: 0, timers: 0, subscriptions: 0, presence: 0 }, 'everything released when the sockets left');
  t.equal(released.states, 2, 'each view\'s state saved for a rejoin');
});

t.test('Redis commands and round trips, and the Redis backend timed', async (t) => {
  const s = await startServer({ routes, metrics: { port: 0 }, state: { backend: 'redis' } });
  t.teardown(() => s.close());
  const url = metricsUrl(s);
  const { client } = await joined(t, s, '/counter');
  const before = await scrape(url);
  for (let i = 0; i < 4; i++) await client.event(1, 'inc');
  const after = await scrape(url);
  const commands = after.value('livery_redis_commands_total', { connection: 'commands' }) - before.value('livery_redis_commands_total', { connection: 'commands' });
  const trips = after.value('livery_redis_round_trips_total', { connection: 'commands' }) - before.value('livery_redis_round_trips_total', { connection: 'commands' });
  t.equal(commands, 4, 'write-through: one SET per event');
  t.ok(trips >= 1 && trips <= commands, `round trips (${trips}) at most the commands`);
  t.equal(after.value('livery_state_backend_seconds_count', { backend: 'redis', op: 'save' }) - before.value('livery_state_backend_seconds_count', { backend: 'redis', op: 'save' }), 4, 'each save timed');
  t.notOk(after.has('livery_state_entries'), 'states live in Redis: that gauge has no sample here');
  t.equal((await httpGet(url, {})).status, 200);
});

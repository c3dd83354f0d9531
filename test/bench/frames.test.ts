/** Hot-path frame classification and page parsing of the load generator's drivers. */
import t from 'tap';
import { KIND_ERROR, KIND_OTHER, KIND_PUSH, KIND_REPLY, attrValue, classifyLivery, classifyPhoenix, liveryDiff } from '../../bench/load/frames.ts';
import { liveryProtocol } from '../../bench/load/drivers/livery.ts';
import { parsePhoenixPage, phoenixProtocol } from '../../bench/load/drivers/phoenix.ts';
import { plainProtocol } from '../../bench/load/drivers/plain.ts';

const classify = (f: (s: string) => { kind: number; ref: number }, s: string) => ({ ...f(s) });

t.test('Livery frames: replies and errors carry their ref, pushes none', async (t) => {
  t.same(classify(classifyLivery, '[2,"r",5,1,{"0":"8"}]'), { kind: KIND_REPLY, ref: 5 });
  t.same(classify(classifyLivery, '[2,"r",123456,1]'), { kind: KIND_REPLY, ref: 123456 });
  t.same(classify(classifyLivery, '[2,"d",1,{"0":"x"}]'), { kind: KIND_PUSH, ref: 0 });
  t.same(classify(classifyLivery, '[2,"x",9,1,"LV_TOKEN_INVALID","bad"]'), { kind: KIND_ERROR, ref: 9 });
  t.same(classify(classifyLivery, '[2,"q"]'), { kind: KIND_OTHER, ref: 0 });
});

t.test('Phoenix frames: replies by message ref, diffs as pushes, error status as errors', async (t) => {
  t.same(classify(classifyPhoenix, '["1","42","lv:phx-a","phx_reply",{"status":"ok","response":{"diff":{"0":"3"}}}]'), { kind: KIND_REPLY, ref: 42 });
  t.same(classify(classifyPhoenix, '["1","7","lv:phx-a","phx_reply",{"status":"error","response":{}}]'), { kind: KIND_ERROR, ref: 7 });
  t.same(classify(classifyPhoenix, '[null,null,"lv:phx-a","diff",{"0":"1"}]'), { kind: KIND_PUSH, ref: 0 });
});

t.test('the Livery driver joins with the page token and keeps the fresh one for rejoins', async (t) => {
  const html = '<div id="lv-a" data-lv-view="CounterView" data-lv-token="tok&amp;1">…</div>';
  t.equal(attrValue(html, 'data-lv-token'), 'tok&1');
  const p = liveryProtocol('CounterView', 'tok&1', 'sid=abc');
  t.equal(p.joinFrame(1), '[2,"j",1,1,"CounterView","tok&1"]');
  t.same(p.headers, { cookie: 'sid=abc' });
  t.equal(p.eventFrame(2, 'inc', {}), '[2,"e",2,1,"inc",{}]');
  t.same(JSON.parse(p.eventFrame(3, 'touch', { row: 4 })), [2, 'e', 3, 1, 'touch', { row: 4 }]);
  p.joined('[2,"r",1,1,{"s":"f","0":"1","t":"fresh"}]');
  t.equal(p.joinFrame(4), '[2,"j",4,1,"CounterView","fresh"]');
  t.same(liveryDiff('[2,"d",1,{"0":"2"}]'), { 0: '2' });
});

t.test('the plain driver names the view; "upgrade" joins by upgrading alone', async (t) => {
  t.equal(plainProtocol('clock').joinFrame(1), '[2,"j",1,1,"clock"]');
  t.equal(plainProtocol('upgrade').joinFrame(1), null);
});

t.test('the Phoenix driver reads session, static, topic and CSRF token from a LiveViewJS page', async (t) => {
  const html =
    '<html><head><meta name="csrf-token" content="csrf1"></head><body>' +
    '<div data-phx-main="true" data-phx-session="jwt.x.y" data-phx-static="" id="phx-abc"><p>0</p></div></body></html>';
  const page = parsePhoenixPage(html, 'http://127.0.0.1:1/counter');
  t.same(page, { topic: 'lv:phx-abc', session: 'jwt.x.y', statics: '', csrf: 'csrf1', url: 'http://127.0.0.1:1/counter' });
  const p = phoenixProtocol(page);
  t.same(JSON.parse(p.joinFrame(1)!), ['1', '1', 'lv:phx-abc', 'phx_join', { url: page.url, params: { _csrf_token: 'csrf1', _mounts: 0 }, session: 'jwt.x.y', static: '' }]);
  t.same(JSON.parse(p.eventFrame(2, 'inc', {})), ['1', '2', 'lv:phx-abc', 'event', { type: 'click', event: 'inc', value: {} }]);
  t.throws(() => parsePhoenixPage('<html></html>', 'http://x/'), /data-phx-main/);
});

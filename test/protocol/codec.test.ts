// server/protocol/codec.ts: every frame type encoded as docs/protocol.md shows it, and decoded
// back into the tagged union both clients and the server read.
import t from 'tap';
import {
  decodeClientFrame,
  decodeServerFrame,
  encodeDevOverlay,
  encodeDiff,
  encodeError,
  encodeEvent,
  encodeHeartbeat,
  encodeJoin,
  encodeLeave,
  encodeNavigate,
  encodePatch,
  encodeReply,
  readPage,
} from '../../server/protocol/codec.ts';

t.test('server frames: exact text, and decoded back', async (t) => {
  const dev = { title: 'LV_HANDLER_FAILED in V.inc', message: 'boom', line: 3 };
  const cases: Array<[string, string, unknown]> = [
    [encodeReply(4, 1), '[2,"r",4,1]', { type: 'reply', ref: 4, vid: 1 }],
    [encodeReply(2, 1, { 0: '1' }), '[2,"r",2,1,{"0":"1"}]', { type: 'reply', ref: 2, vid: 1, diff: { 0: '1' } }],
    [encodeReply(9, 0), '[2,"r",9,0]', { type: 'reply', ref: 9, vid: 0 }],
    [encodeDiff(3, { 1: 'x' }), '[2,"d",3,{"1":"x"}]', { type: 'diff', vid: 3, diff: { 1: 'x' } }],
    [encodeError(5, 1, 'LV_EVENT_UNKNOWN', 'msg'), '[2,"x",5,1,"LV_EVENT_UNKNOWN","msg"]', { type: 'error', ref: 5, vid: 1, code: 'LV_EVENT_UNKNOWN', message: 'msg' }],
    [encodeError(5, 1, 'LV_HANDLER_FAILED', 'm', dev), `[2,"x",5,1,"LV_HANDLER_FAILED","m",${JSON.stringify(dev)}]`, { type: 'error', ref: 5, vid: 1, code: 'LV_HANDLER_FAILED', message: 'm', dev }],
    [encodeDevOverlay(dev), `[2,"o",${JSON.stringify(dev)}]`, { type: 'dev', report: dev }],
    [encodeDevOverlay(null), '[2,"o",null]', { type: 'dev', report: null }],
  ];
  for (const [text, expected, decoded] of cases) {
    t.equal(text, expected);
    t.same(decodeServerFrame(text), decoded, `${expected} decodes`);
  }
  t.same(decodeServerFrame('[1,"d",1,{}]'), { type: 'version', version: 1 }, 'another version is reported, not read');
  t.equal(decodeServerFrame('not json'), undefined);
  t.equal(decodeServerFrame('{"a":1}'), undefined);
  t.equal(decodeServerFrame('[2,"?",1]'), undefined, 'an unknown type is ignored');
  t.equal(decodeServerFrame('[2,"d",1,"no diff"]'), undefined, 'a push without a diff is ignored');
});

t.test('client frames: exact text, and decoded back', async (t) => {
  t.equal(encodeJoin(1, 1, 'CounterView', 'tok'), '[2,"j",1,1,"CounterView","tok"]');
  t.same(decodeClientFrame(encodeJoin(1, 1, 'CounterView', 'tok')), { type: 'join', ref: 1, vid: 1, view: 'CounterView', token: 'tok' });
  t.equal(encodeEvent(2, 1, 'inc', { by: 1 }), '[2,"e",2,1,"inc",{"by":1}]');
  t.same(decodeClientFrame(encodeEvent(2, 1, 'inc', { by: 1 })), { type: 'event', ref: 2, vid: 1, event: 'inc', payload: { by: 1 } });
  t.equal(encodeLeave(3, 2), '[2,"l",3,2]');
  t.same(decodeClientFrame(encodeLeave(3, 2)), { type: 'leave', ref: 3, vid: 2 });
  t.equal(encodeHeartbeat(4), '[2,"h",4]');
  t.same(decodeClientFrame(encodeHeartbeat(4)), { type: 'heartbeat', ref: 4 });
  t.equal(encodeJoin(5, 1, 'ItemsView', 'tok', '/items?page=2'), '[2,"j",5,1,"ItemsView","tok","/items?page=2"]');
  t.same(decodeClientFrame(encodeJoin(5, 1, 'ItemsView', 'tok', '/items?page=2')), { type: 'join', ref: 5, vid: 1, view: 'ItemsView', token: 'tok', url: '/items?page=2' });
  t.equal(encodePatch(6, 1, '/items?page=3'), '[2,"p",6,1,"/items?page=3"]');
  t.same(decodeClientFrame(encodePatch(6, 1, '/items?page=3')), { type: 'patch', ref: 6, vid: 1, url: '/items?page=3' });
  t.equal(encodeNavigate(7, 1, '/items/3'), '[2,"n",7,1,"/items/3"]');
  t.same(decodeClientFrame(encodeNavigate(7, 1, '/items/3')), { type: 'navigate', ref: 7, vid: 1, url: '/items/3' });
});

t.test('page keys at a diff\'s root: read, and only well-formed ones', async (t) => {
  t.equal(readPage({ 0: '1' }), undefined, 'a plain diff has none');
  t.same(readPage({ u: { to: '/a?b', kind: 'patch' }, h: 'Title', f: { info: 'Saved', error: null } }), {
    location: { to: '/a?b', kind: 'patch', replace: false }, title: 'Title', flash: { info: 'Saved', error: null },
  });
  t.same(readPage({ u: { to: '/a', kind: 'navigate', replace: true }, v: { view: 'A', id: 'lv-x' } }), {
    location: { to: '/a', kind: 'navigate', replace: true }, view: { view: 'A', id: 'lv-x' },
  });
  t.same(readPage({ u: { to: '/a', kind: 'teleport' }, v: 'A', h: 5 }), {}, 'malformed keys are dropped');
});

t.test('client frames the server refuses, with the code it answers', async (t) => {
  t.same(decodeClientFrame('{'), { type: 'invalid', ref: 0, code: 'LV_FRAME_MALFORMED', detail: 'not JSON' });
  t.same(decodeClientFrame('[2]'), { type: 'invalid', ref: 0, code: 'LV_FRAME_MALFORMED' });
  t.same(decodeClientFrame('[1,"h",1]'), { type: 'invalid', ref: 0, code: 'LV_PROTOCOL_VERSION', detail: 'server speaks 2' });
  t.same(decodeClientFrame('[2,"h",0]'), { type: 'invalid', ref: 0, code: 'LV_FRAME_MALFORMED', detail: 'ref must be a positive integer' });
  t.same(decodeClientFrame('[2,"h",1.5]'), { type: 'invalid', ref: 0, code: 'LV_FRAME_MALFORMED', detail: 'ref must be a positive integer' });
  t.same(decodeClientFrame('[2,"z",7]'), { type: 'invalid', ref: 7, code: 'LV_FRAME_UNKNOWN_TYPE' }, 'an unknown type is answered with its ref');
});

import t from 'tap';
import { MemoryStateBackend, stateKey } from '../../server/state/index.ts';
import { stateBackendContract } from './state-backend.case.ts';

stateBackendContract(t, (options) => new MemoryStateBackend(options));

t.test('memory: bounded, least recently used evicted first', async (t) => {
  const backend = new MemoryStateBackend({ ttlSeconds: 60, maxEntries: 3 });
  for (const id of ['a', 'b', 'c']) await backend.set(stateKey('t', id), id);
  await backend.get(stateKey('t', 'a')); // a is now the most recently used
  await backend.set(stateKey('t', 'd'), 'd');
  t.equal(backend.size, 3, 'never more than maxEntries');
  t.equal(await backend.get(stateKey('t', 'b')), null, 'b, least recently used, was evicted');
  t.equal(await backend.get(stateKey('t', 'a')), 'a');
  t.equal(await backend.get(stateKey('t', 'd')), 'd');
});

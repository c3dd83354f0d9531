import t from 'tap';
import { MemoryPresence } from '../../server/presence/index.ts';
import { presenceContract } from './presence.case.ts';

presenceContract(t, async (t) => {
  const presence = new MemoryPresence();
  t.teardown(() => presence.close());
  return { presence, settle: async () => {} };
});

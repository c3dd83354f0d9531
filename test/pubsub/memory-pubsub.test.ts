import t from 'tap';
import { MemoryPubSub } from '../../server/pubsub/index.ts';
import { pubsubContract } from './pubsub.case.ts';

pubsubContract(t, async (t, options) => {
  const pubsub = new MemoryPubSub(options);
  t.teardown(() => pubsub.close());
  return { pubsub, settle: async () => {} };
});

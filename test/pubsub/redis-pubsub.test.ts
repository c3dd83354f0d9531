import t from 'tap';
import { pubsubContract } from './pubsub.case.ts';
import { redisProcess } from './redis-harness.ts';

pubsubContract(t, async (t, options) => redisProcess(t, options));

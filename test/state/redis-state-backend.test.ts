import t from 'tap';
import { RedisStateBackend } from '../../server/state/index.ts';
import { deleteKeys, sharedConnection, uniqueTenant } from '../redis/shared-redis.ts';
import { stateBackendContract } from './state-backend.case.ts';

// The contract runs on the shared Redis inside a key space of its own, removed afterwards.
const prefix = `${uniqueTenant('lvtest-state')}:`;
const redis = sharedConnection(t, 'state-contract', { keyPrefix: prefix });
const cleaner = sharedConnection(t, 'state-cleanup');
t.teardown(() => deleteKeys(cleaner, `${prefix}*`));

stateBackendContract(t, ({ ttlSeconds }) => new RedisStateBackend({ redis, ttlSeconds }));

/**
 * Where view state lives between the HTTP render, the socket join and reconnects.
 *
 * A backend stores opaque serialized state under keys built by {@link stateKey}, which always
 * carry the tenant (`lv:{acme}:view:…`; the braces are a Redis Cluster hash tag, so one tenant's
 * keys share a slot). Entries expire after a TTL that every write and read refreshes.
 *
 * `writeThrough` tells the runtime when to save: a backend shared between processes (Redis)
 * must have every change stored before the event's reply goes out, so a reconnect to any
 * process resumes it; a process-local backend only needs the state when the socket closes or
 * the process shuts down, which keeps its hot path free of serialization.
 */
export interface StateBackend {
  readonly name: string;
  readonly writeThrough: boolean;
  /** The stored value, or null when absent or expired. Refreshes the TTL. */
  get(key: string): Promise<string | null>;
  /**
   * Stores a value for the backend's TTL, or for `ttlSeconds` when given: the first paint's
   * state lives only `state.preJoinTtlSeconds` until a join reads it (D31).
   */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/** A view instance's state key inside a tenant (built in `server/keys.ts`). */
export { viewStateKey as stateKey } from '../keys.ts';

export { stateKeyTenant } from '../keys.ts';
export { MemoryStateBackend, DEFAULT_STATE_MAX_MEMORY, memoryStateSize, type MemoryStateOptions } from './memory-state-backend.ts';
export { RedisStateBackend, StateTooLargeError, REDIS_STATE_HARD_LIMIT, type RedisStateOptions } from './redis-state-backend.ts';

/**
 * Where view state lives between the HTTP render, the socket join and reconnects.
 *
 * A backend stores opaque serialized state under keys built by {@link stateKey}, which always
 * carry the tenant (`lv:{acme}:view:…`; the braces are a Redis Cluster hash tag, so one tenant's
 * keys share a slot). Entries expire after a TTL that every write and read refreshes (a shared
 * backend's saves only once a third of it has passed, unless asked: see {@link SaveOptions}).
 *
 * `writeThrough` tells the runtime when to save: a backend shared between processes (Redis)
 * must have every change stored before the event's reply goes out, so a reconnect to any
 * process resumes it; a process-local backend only needs the state when the socket closes or
 * the process shuts down, which keeps its hot path free of serialization.
 *
 * **One owner per view instance (D34).** A join `claim`s the instance: it gets the stored state
 * and an owner token, and from then on only saves carrying that token are stored — a save by
 * an earlier owner (a copy of the view still live on another process, or a socket the server has
 * not seen close yet) is refused (`save` resolves false) and must never be retried. A shared
 * backend does that atomically in the store; a process-local one has a single process, whose
 * runtime already keeps one live copy per instance, so its tokens are not checked.
 */
export interface StateBackend {
  readonly name: string;
  readonly writeThrough: boolean;
  /** The stored value, or null when absent or expired. Refreshes the TTL. */
  get(key: string): Promise<string | null>;
  /**
   * Stores a state no socket owns yet — a first paint's, which lives `state.preJoinTtlSeconds`
   * (`ttlSeconds`) until a join claims it (D31). `budget`: see {@link StateBackend.save}.
   */
  set(key: string, value: string, options?: { ttlSeconds?: number; budget?: number }): Promise<void>;
  /**
   * A join takes the instance over: returns what the last save stored (null when absent or
   * expired) and the owner token its saves must carry; earlier owners' saves are refused from now
   * on. `previous` is the token this claim displaced (null when the instance had no owner, or
   * the backend keeps none): the copy holding it must close. Refreshes the TTL to the full one.
   */
  claim(key: string): Promise<StateClaim>;
  /**
   * Stores the state of an instance this `owner` claimed. Resolves false — storing nothing —
   * when a later claim took the instance over. `budget` is the tenant's byte budget for stored
   * state (a shared backend throws `StateQuotaError` when this save would grow the tenant past
   * it; a save that does not grow the state always passes). Absent: no budget.
   */
  save(key: string, value: string, owner: string, budget?: number, options?: SaveOptions): Promise<boolean>;
  /**
   * A live owner keeps its instance: refreshes the TTL if `owner` still owns it. 'taken' once
   * another join claimed it (this copy must close without saving); 'absent' when the state is
   * gone (Redis lost it): the owner stores it again.
   */
  keep(key: string, owner: string): Promise<'kept' | 'taken' | 'absent'>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface SaveOptions {
  /**
   * Restart the state's TTL now: a socket closing, whose state must live the full TTL from here.
   * Otherwise a shared backend may leave a TTL refreshed within the last third of it as it is —
   * a live view's is kept fresh anyway (`keep`) — and save the cost of refreshing it (D64).
   */
  readonly refresh?: boolean;
}

export interface StateClaim {
  readonly value: string | null;
  readonly owner: string;
  readonly previous: string | null;
}

/** A view instance's state key inside a tenant (built in `server/keys.ts`). */
export { viewStateKey as stateKey } from '../keys.ts';

export { stateKeyTenant } from '../keys.ts';
export { MemoryStateBackend, DEFAULT_STATE_MAX_MEMORY, memoryStateSize, type MemoryStateOptions } from './memory-state-backend.ts';
export { stateFingerprint } from './fingerprint.ts';
export { RedisStateBackend, StateQuotaError, StateTooLargeError, REDIS_STATE_HARD_LIMIT, REDIS_ENTRY_OVERHEAD, type RedisStateOptions } from './redis-state-backend.ts';

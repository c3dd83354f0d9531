/**
 * Browser sessions: an unguessable id in an HttpOnly cookie (`cookie.ts`) and server-side data
 * in a {@link SessionStore}. Apps put the signed-in user there (`userId`) and, for the session
 * tenant resolver, the tenant (`tenant_id` by default).
 *
 * A session is bound to the tenant it was created under (`boundTenant`). Presented under another
 * tenant — a cookie copied from acme.example.com to globex.example.com — it yields nothing: no
 * user, no data (see `sessionFor` in the HTTP and socket layers).
 */
export { newSessionId, readCookie, readSessionId, sessionCookie, sessionTag, SESSION_COOKIE } from './cookie.ts';
export { MemorySessionStore } from './memory-session-store.ts';
export { RedisSessionStore } from './redis-session-store.ts';
export { rotateSession } from './rotate.ts';

export interface SessionData {
  readonly userId?: string;
  /** The tenant the session belongs to; absent until the app binds it (e.g. at sign-in). */
  readonly boundTenant?: string;
  readonly [key: string]: unknown;
}

export interface SessionStore {
  get(id: string): Promise<SessionData | undefined>;
  set(id: string, data: SessionData): Promise<void>;
  delete(id: string): Promise<void>;
  close(): Promise<void>;
}

/** The session as a view sees it in `mount(params, session)`. */
export interface Session {
  readonly id: string;
  readonly userId?: string;
  readonly data: SessionData;
}

/** What a session may reveal under `tenant`: nothing when it is bound to another one. */
export function sessionUnder(id: string, data: SessionData | undefined, tenant: string): Session {
  if (data === undefined || (data.boundTenant !== undefined && data.boundTenant !== tenant)) return { id, data: {} };
  return { id, userId: typeof data.userId === 'string' ? data.userId : undefined, data };
}

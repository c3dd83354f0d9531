import type { FastifyReply, FastifyRequest } from 'fastify';
import { newSessionId, readSessionId, sessionCookie } from './cookie.ts';
import type { SessionData, SessionStore } from './index.ts';

/**
 * Moves the request's session to a fresh id (with Set-Cookie) and deletes the old one: call it
 * whenever the session's privilege changes — sign-in, sign-out, switching user — so an id
 * anyone learned before (a planted cookie, a shared computer) is worth nothing after. `data` is
 * merged over what the session held. Join tokens bound to the old id stop working with it; the
 * page the browser loads next carries tokens for the new one. Returns the new id.
 */
export async function rotateSession(
  sessions: SessionStore, request: FastifyRequest, reply: FastifyReply, data: SessionData, secure: boolean,
): Promise<string> {
  const old = readSessionId(request.headers.cookie);
  const previous = old === undefined ? undefined : await sessions.get(old);
  const id = newSessionId();
  await sessions.set(id, { ...previous, ...data });
  if (old !== undefined) await sessions.delete(old);
  reply.header('set-cookie', sessionCookie(id, secure));
  return id;
}

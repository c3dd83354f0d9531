/**
 * The browser session: an unguessable id in an HttpOnly cookie. Join tokens are bound to it, so
 * a token copied out of one browser's page is useless in another. Cookies are host-only (no
 * Domain attribute): a session from acme.example.com is never sent to globex.example.com.
 */
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'lv_sid';
const SESSION_ID = /^[A-Za-z0-9_-]{22,64}$/;

export function newSessionId(): string {
  return randomBytes(18).toString('base64url');
}

/** A cookie's value from a Cookie header (the first one of that name). */
export function readCookie(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq >= 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The session id from a Cookie header, if present and well-formed. */
export function readSessionId(cookieHeader: string | undefined): string | undefined {
  const value = readCookie(cookieHeader, SESSION_COOKIE);
  return value !== undefined && SESSION_ID.test(value) ? value : undefined;
}

export function sessionCookie(id: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/**
 * A stable, non-secret name for a session: in logs and anonymous presence keys, never the id
 * itself — that is the visitor's cookie, a credential.
 */
export function sessionTag(id: string): string {
  return createHash('sha256').update(id).digest('base64url').slice(0, 16);
}

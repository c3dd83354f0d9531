/**
 * The client's address, for per-address limits and the tenant resolvers: the peer's address,
 * unless a trusted proxy (`trustProxy`) stands in front — then the nearest untrusted address in
 * X-Forwarded-For. Same rules and library as Fastify's `trustProxy`, so HTTP requests and the
 * live socket's upgrade agree on who the client is.
 */
import proxyaddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';
import type { TrustProxy } from '../options/options.ts';

export type TrustFunction = (address: string, hop: number) => boolean;

/** proxy-addr's trust function for the setting (undefined: trust no proxy). */
export function trustFunction(trust: TrustProxy | undefined): TrustFunction | undefined {
  if (trust === undefined) return undefined;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyaddr.compile([...trust]);
}

/** The client address of a connection from `peer` that sent `forwardedFor` (X-Forwarded-For). */
export function clientAddress(peer: string, forwardedFor: string | undefined, trust: TrustFunction | undefined): string {
  if (trust === undefined || forwardedFor === undefined || forwardedFor === '') return peer;
  // proxy-addr reads only these two fields of the request.
  const request = { socket: { remoteAddress: peer }, headers: { 'x-forwarded-for': forwardedFor } } as unknown as IncomingMessage;
  return proxyaddr(request, trust);
}

/** Fastify's `trustProxy` for the setting: the very function the socket uses. */
export function fastifyTrustProxy(trust: TrustProxy | undefined): TrustFunction | false {
  return trustFunction(trust) ?? false;
}

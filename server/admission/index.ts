/**
 * Admission: who the client is (its address, behind trusted proxies) and how many live sockets
 * one address or session may hold. The frame rate and view caps of an admitted socket live in
 * `server/live/connection.ts`.
 */
export { clientAddress, fastifyTrustProxy, trustFunction, type TrustFunction } from './client-address.ts';
export { SocketCounts } from './socket-counts.ts';

/**
 * Admission: who the client is (its address, behind trusted proxies), how many live sockets
 * one address or session may hold, how many page renders one address may cause (page-budget.ts)
 * and each tenant's quotas (tenant-quotas.ts). The frame rate and view caps of an admitted socket live in
 * `server/live/connection.ts`.
 */
export { clientAddress, fastifyTrustProxy, trustFunction, type TrustFunction } from './client-address.ts';
export { SocketCounts } from './socket-counts.ts';
export { TenantQuotas, QUOTA_LABELS, type QuotaName } from './tenant-quotas.ts';
export { PageBudget } from './page-budget.ts';

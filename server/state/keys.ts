/** State keys: `lv:{tenant}:view:instance` (the braces are a Redis Cluster hash tag). */

export function stateKey(tenant: string, instance: string): string {
  return `lv:{${tenant}}:view:${instance}`;
}

/** The tenant a {@link stateKey} belongs to ('' for a key of another shape). */
export function stateKeyTenant(key: string): string {
  const close = key.startsWith('lv:{') ? key.indexOf('}:', 4) : -1;
  return close === -1 ? '' : key.slice(4, close);
}

/** What one tenant's sockets did: plain fields, incremented on the hot path, read at scrape time. */
export class TenantCounts {
  events = 0;
  joins = 0;
  /** Error frames sent to the tenant's sockets. */
  errors = 0;
}

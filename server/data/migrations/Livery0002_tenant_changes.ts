/**
 * Every change to a tenant row — its status, its settings, its paid-until date, its deletion —
 * is announced on the `livery_tenants` notification channel with the tenant's id, by a trigger,
 * so it takes effect whatever made it: Livery's `suspendTenant`, an admin view, or an operator's
 * `update tenants set status = 'suspended'` in psql. PostgreSQL delivers a notification only
 * when the transaction commits (a rolled-back change announces nothing). Each server process
 * listens and re-checks that tenant's live sockets and cached entry (docs/design.md, D40).
 */
import { Migration } from '@mikro-orm/migrations';
import { TENANT_CHANGES_DDL } from '../tenant-watch.ts';

export class Livery0002_tenant_changes extends Migration {

  override name = 'Livery0002_tenant_changes';

  override up(): void | Promise<void> {
    // The statements live beside the listener (tenant-watch.ts): the Tenant entity declares the
    // same trigger, so schema diffs (`migrate --create`) know it and never offer to drop it.
    for (const statement of TENANT_CHANGES_DDL) this.addSql(statement);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "tenants_changed" on "tenants";`);
    this.addSql(`drop function if exists "livery_tenant_changed"();`);
  }

}

/**
 * Every change to a tenant row — its status, its settings, its paid-until date, its deletion —
 * is announced on the `livery_tenants` notification channel with the tenant's id, by a trigger,
 * so it takes effect whatever made it: Livery's `suspendTenant`, an admin view, or an operator's
 * `update tenants set status = 'suspended'` in psql. PostgreSQL delivers a notification only
 * when the transaction commits (a rolled-back change announces nothing). Each server process
 * listens and re-checks that tenant's live sockets and cached entry (docs/design.md, D40).
 */
import { Migration } from '@mikro-orm/migrations';

export class Livery0002_tenant_changes extends Migration {

  override name = 'Livery0002_tenant_changes';

  override up(): void | Promise<void> {
    this.addSql(`create function "livery_tenant_changed"() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then perform pg_notify('livery_tenants', old.id); end if;
  if tg_op <> 'DELETE' and (tg_op = 'INSERT' or new.id <> old.id) then perform pg_notify('livery_tenants', new.id); end if;
  return null;
end $$;`);
    this.addSql(`create trigger "tenants_changed" after insert or update or delete on "tenants" for each row execute function "livery_tenant_changed"();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "tenants_changed" on "tenants";`);
    this.addSql(`drop function if exists "livery_tenant_changed"();`);
  }

}

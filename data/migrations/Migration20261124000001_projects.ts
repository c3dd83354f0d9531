import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000001_projects extends Migration {

  override up(): void | Promise<void> {
    this.addSql(`create table "projects" ("tenant_id" varchar(255) not null, "id" varchar(255) not null, "name" varchar(255) not null, "created_at" timestamptz not null, primary key ("tenant_id", "id"));`);

    this.addSql(`alter table "projects" add constraint "projects_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "projects" enable row level security;`);
    this.addSql(`create policy "projects_tenant_policy" on "projects" using ("tenant_id" = current_setting('mikro.tenant.tenantId'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "projects" cascade;`);
  }

}

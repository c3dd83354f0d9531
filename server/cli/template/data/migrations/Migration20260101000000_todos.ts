import { Migration } from '@mikro-orm/migrations';

export class Migration20260101000000_todos extends Migration {
  override up(): void | Promise<void> {
    this.addSql(`create table "todos" ("tenant_id" varchar(255) not null, "id" varchar(255) not null, "title" varchar(255) not null, "created_at" timestamptz not null, primary key ("tenant_id", "id"));`);
    this.addSql(`alter table "todos" add constraint "todos_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "todos" enable row level security;`);
    this.addSql(`create policy "todos_tenant_policy" on "todos" using ("tenant_id" = current_setting('mikro.tenant.tenantId'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "todos" cascade;`);
  }
}

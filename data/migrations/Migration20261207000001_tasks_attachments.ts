import { Migration } from '@mikro-orm/migrations';

/** Tasks and attachments of a project, each tenant-owned with its row-level security policy. */
export class Migration20261207000001_tasks_attachments extends Migration {

  override up(): void | Promise<void> {
    this.addSql(`create table "tasks" ("tenant_id" varchar(255) not null, "id" varchar(255) not null, "project_id" varchar(255) not null, "title" varchar(255) not null, "done" boolean not null default false, "created_at" timestamptz not null, primary key ("tenant_id", "id"));`);
    this.addSql(`create index "tasks_project_index" on "tasks" ("tenant_id", "project_id", "created_at");`);
    this.addSql(`alter table "tasks" add constraint "tasks_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "tasks" add constraint "tasks_project_foreign" foreign key ("tenant_id", "project_id") references "projects" ("tenant_id", "id") on update cascade on delete cascade;`);
    this.addSql(`alter table "tasks" enable row level security;`);
    this.addSql(`create policy "tasks_tenant_policy" on "tasks" using ("tenant_id" = current_setting('mikro.tenant.tenantId'));`);

    this.addSql(`create table "attachments" ("tenant_id" varchar(255) not null, "id" varchar(255) not null, "project_id" varchar(255) not null, "name" varchar(255) not null, "size" integer not null, "type" varchar(255) not null, "sha256" varchar(255) not null, "created_at" timestamptz not null, primary key ("tenant_id", "id"));`);
    this.addSql(`create index "attachments_project_index" on "attachments" ("tenant_id", "project_id", "created_at");`);
    this.addSql(`alter table "attachments" add constraint "attachments_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "attachments" add constraint "attachments_project_foreign" foreign key ("tenant_id", "project_id") references "projects" ("tenant_id", "id") on update cascade on delete cascade;`);
    this.addSql(`alter table "attachments" enable row level security;`);
    this.addSql(`create policy "attachments_tenant_policy" on "attachments" using ("tenant_id" = current_setting('mikro.tenant.tenantId'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "attachments" cascade;`);
    this.addSql(`drop table if exists "tasks" cascade;`);
  }

}

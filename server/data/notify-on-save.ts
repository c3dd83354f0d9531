/**
 * Notify on save: after a transaction COMMITS (never for rolled-back work, never at a savepoint,
 * whose enclosing transaction may still roll back), the changes it made are announced once per
 * entity type on the tenant's topic — the tenant taken from the EntityManager that flushed
 * (`tenantOf(em)`), never from the entity, so a row can't announce itself into another tenant.
 * Changes through a global (tenant-less) EntityManager are not announced.
 *
 * Delivery is through Livery's pub/sub (Redis across processes), not PostgreSQL LISTEN/NOTIFY:
 * no session-level state, so it works behind a transaction-pooling proxy.
 */
import type { EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import { tenantOf } from './tenant-data.ts';
import type { LiveryEntityManager } from './types.ts';

export type SaveKind = 'create' | 'update' | 'delete';

/** What watchers receive: one per entity type per committed transaction. */
export interface SaveEvent {
  readonly entity: string;
  readonly changes: ReadonlyArray<{ readonly id: string; readonly kind: SaveKind }>;
}

export type SavePublisher = (tenant: string, event: SaveEvent) => void;

export class SaveNotifier implements EventSubscriber {
  readonly #publish: SavePublisher;

  constructor(publish: SavePublisher) {
    this.#publish = publish;
  }

  afterTransactionCommit(args: TransactionEventArgs): void {
    if (args.transaction?.savepointName !== undefined) return;
    const changeSets = args.uow?.getChangeSets() ?? [];
    if (changeSets.length === 0) return;
    const tenant = tenantOf(args.em as LiveryEntityManager);
    if (tenant === undefined) return;
    const byEntity = new Map<string, Array<{ id: string; kind: SaveKind }>>();
    for (const changeSet of changeSets) {
      const kind: SaveKind = changeSet.type.startsWith('delete') ? 'delete' : changeSet.type === 'create' ? 'create' : 'update';
      const list = byEntity.get(changeSet.meta.className) ?? [];
      list.push({ id: changeSet.getSerializedPrimaryKey() ?? '', kind });
      byEntity.set(changeSet.meta.className, list);
    }
    for (const [entity, changes] of byEntity) this.#publish(tenant, { entity, changes });
  }
}

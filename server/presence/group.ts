import type { PresenceEntry, PresenceMeta } from './index.ts';

/** Groups entries by key, keys in order of their first entry, metas in entry order. */
export function groupByKey(entries: Iterable<{ key: string; meta: PresenceMeta }>): PresenceEntry[] {
  const byKey = new Map<string, PresenceMeta[]>();
  for (const { key, meta } of entries) {
    const metas = byKey.get(key);
    if (metas === undefined) byKey.set(key, [meta]);
    else metas.push(meta);
  }
  return [...byKey].map(([key, metas]) => ({ key, metas }));
}

/** A JSON copy of a meta, refusing what JSON cannot carry. */
export function copyMeta(meta: PresenceMeta): PresenceMeta {
  const json = JSON.stringify(meta);
  if (json === undefined || json[0] !== '{') throw new TypeError('A presence meta must be a JSON object.');
  return JSON.parse(json) as PresenceMeta;
}

// One module builds Redis keys and channels (server/keys.ts); every tenant's carries `{tenant}`
// as a Redis Cluster hash tag, so one tenant's keys share a shard.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { presenceKeys, presenceTopic, sessionKey, stateUsageKeys, takeoverChannel, topicChannel, viewStateKey } from '../../server/keys.ts';

const root = new URL('../../', import.meta.url).pathname;

t.test('each kind of key, with the tenant as hash tag', async (t) => {
  t.equal(viewStateKey('acme', 'i1'), 'lv:{acme}:view:i1');
  t.equal(topicChannel('acme', 'room:1'), 'lv:{acme}:topic:room:1');
  t.equal(presenceTopic('acme', 'room'), 'lv:{acme}:presence:room');
  t.same(presenceKeys(presenceTopic('acme', 'room')), ['lv:{acme}:presence:room:seen', 'lv:{acme}:presence:room:metas']);
  t.same(stateUsageKeys('acme'), ['lv:{acme}:state:bytes', 'lv:{acme}:state:expiries']);
  t.equal(takeoverChannel('acme'), 'lv:{acme}:takeover');
  t.equal(sessionKey('s1'), 'lv:session:s1', 'sessions span tenants');
  const hashTag = (key: string) => /\{([^}]*)\}/.exec(key)?.[1];
  // The state scripts touch a state key and its tenant's usage keys: one slot on a Redis Cluster.
  for (const key of [viewStateKey('acme', 'x'), ...stateUsageKeys('acme'), takeoverChannel('acme'), topicChannel('acme', 'x'), ...presenceKeys(presenceTopic('acme', 'x'))]) {
    t.equal(hashTag(key), 'acme', `${key} hashes by tenant`);
  }
});

t.test('no other file under server/ builds an lv: key', async (t) => {
  const found: string[] = [];
  for (const e of readdirSync(join(root, 'server'), { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts')) continue;
    const file = join(e.parentPath, e.name).slice(root.length);
    if (file === 'server/keys.ts') continue;
    readFileSync(join(root, file), 'utf8').split('\n').forEach((line, i) => {
      if (/^\s*(\*|\/\/)/.test(line)) return;
      // `lv:error` / `lv:dev` are DOM event names and `lv:upload…` the upload events' names, not keys.
      if (/['"`]lv:(?!error|dev|upload)/.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  t.same(found, [], 'build keys with server/keys.ts');
});

// One module reads the environment (server/config/env.ts); everything else asks it. Writing a
// variable (the CLI's app defaults, the test client's) is not reading and stays where it is.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { databaseEnv, devSupervision, isProduction, redisUrlFromEnv, DEFAULT_REDIS_URL } from '../../server/config/env.ts';

const root = new URL('../../', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name).slice(root.length));
}

t.test('no file but server/config/env.ts reads process.env', async (t) => {
  const reads: string[] = [];
  for (const file of [...sources('server'), ...sources('client')]) {
    if (file === 'server/config/env.ts') continue;
    readFileSync(join(root, file), 'utf8').split('\n').forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '').replace(/\/\*\*.*\*\//, '');
      if (!code.includes('process.env')) return;
      // Writes: `process.env[name] ??= value`, or process.env handed to a function that writes it.
      if (/process\.env\[[^\]]+\]\s*\?\?=/.test(code) || /env: NodeJS\.ProcessEnv = process\.env\): void/.test(code)) return;
      reads.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  t.same(reads, [], 'read through server/config/env.ts instead');
});

t.test('the readers take any environment', async (t) => {
  t.equal(isProduction({ NODE_ENV: 'production' }), true);
  t.equal(isProduction({}), false);
  t.equal(redisUrlFromEnv({ REDIS_URL: ' ' }), DEFAULT_REDIS_URL, 'blank means unset');
  t.same(databaseEnv({ DATABASE_URL: '', DATABASE_APP_URL: 'postgres://a@h/d' }), { url: undefined, appUrl: 'postgres://a@h/d', pglite: undefined });
  t.equal(devSupervision({}), undefined, 'outside the dev loop');
  t.same(devSupervision({ LIVERY_DEV: '1', LIVERY_DEV_REPORT_FD: '3', LIVERY_DEV_SNAPSHOT: '/tmp/s.json' }), { snapshotFile: '/tmp/s.json', reportFd: 3 });
});

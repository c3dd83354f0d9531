import { spawn } from 'node:child_process';
import { exampleDatabase } from '../../data/index.ts';
import { postgresFactory } from '../data/fixtures.ts';
const fixture = await postgresFactory({ data: exampleDatabase });
await exampleDatabase.seed(fixture.db);
const times: Record<string, number[]> = {};
for (let i = 0; i < 6; i++) for (const root of ['/work/main/', '/work/wt-redis/']) {
  const t0 = Date.now();
  const child = spawn(process.execPath, ['server/cli/livery.js', 'start'], { cwd: root, env: { ...process.env, LIVERY_WORKER: '1', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: fixture.ownerUrl!, LIVERY_STATE_BACKEND: 'redis', LIVERY_PUBSUB: 'redis', LIVERY_SECRET: 'three-processes-secret-three-processes-secret', LIVERY_LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c) => { out += c; });
  child.stderr!.on('data', (c) => { out += c; });
  while (!/Livery example app/.test(out) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  (times[root] ??= []).push(Date.now() - t0);
  child.kill('SIGKILL');
}
for (const [k, v] of Object.entries(times)) console.log(k, v.sort((a, b) => a - b).join(' '));
await fixture.cleanup();

import t from 'tap';
import { createTestApp } from '../../server/testing/index.ts';
import { exampleApp } from './example-app.ts';

const app = await createTestApp(exampleApp);
t.teardown(() => app.close());

/** `H:i:s` in UTC, as the template's `date` filter shows it. */
const hms = (ms: number) => new Date(ms).toISOString().slice(11, 19);

t.test('/clock shows the server time and a tick brings it up to date', async (t) => {
  const view = await app.mount('/clock');
  t.match(view.find('#clock')?.text, /^\d\d:\d\d:\d\d$/);
  // Let the second change, then tick: the clock must show the new time.
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
  const before = Date.now();
  await view.tick();
  const after = Date.now();
  t.ok([hms(before), hms(after)].includes(view.find('#clock')!.text), `shows the time of the tick (${view.find('#clock')!.text})`);
  await view.close();
});

t.test('the process-wide scheduler ticks the clock on its own every second', async (t) => {
  const view = await app.mount('/clock');
  const mounted = Date.now();
  await view.nextPush(3000);
  // The tick ran after the mount and before now: the clock shows one of those seconds.
  const seconds = new Set<string>();
  for (let ms = mounted - (mounted % 1000); ms <= Date.now(); ms += 1000) seconds.add(hms(ms));
  t.ok(seconds.has(view.find('#clock')!.text), `a pushed diff with the time of the tick (${view.find('#clock')!.text})`);
  await view.close();
});

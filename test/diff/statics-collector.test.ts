/**
 * A socket's statics are sent once per fingerprint, however many it has received: a few are kept
 * in an array, more in a Set (D68). Both forms must never send one twice nor skip one.
 */
import t from 'tap';
import { StaticsCollector } from '../../server/diff/index.ts';
import type { Block } from '../../server/template/types.ts';

const block = (fp: string) => ({ fp, statics: [`<${fp}>`], slots: [] }) as unknown as Block;

t.test('each fingerprint travels once, before and after the array becomes a Set', async (t) => {
  const statics = new StaticsCollector();
  const sent: string[] = [];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 20; i++) statics.need(block(`f${i}`));
    const root = statics.attachTo(undefined);
    sent.push(...Object.keys((root?.p as Record<string, unknown>) ?? {}));
  }
  t.same(sent, Array.from({ length: 20 }, (_, i) => `f${i}`), 'all 20, in order, in the first frame only');
  t.equal(statics.attachTo(undefined), undefined, 'nothing left to attach');
});

t.test('a collector can start from fingerprints already sent', async (t) => {
  const statics = new StaticsCollector(new Set(['a', 'b']));
  statics.need(block('a'));
  statics.need(block('c'));
  t.same(Object.keys(statics.attachTo(undefined)!.p as object), ['c']);
});

import t, { type Test } from 'tap';
import { diffOrder } from '../../server/diff/keyed.ts';

/** The client's algorithm from docs/protocol.md: delete removed, take out placed, insert in order. */
function apply(old: string[], removed: string[], placed: Array<[number, string]>): string[] {
  const out = old.filter((key) => !removed.includes(key) && !placed.some(([, k]) => k === key));
  for (const [index, key] of placed) out.splice(index, 0, key);
  return out;
}

function check(t: Test, old: string[], next: string[]) {
  const d = diffOrder(old, next, new Set(next));
  t.same(apply(old, d.removed, d.placed), next, `${old.join('')} → ${next.join('')}`);
  return d;
}

t.test('one insert costs one placement', async (t) => {
  const old = Array.from({ length: 1000 }, (_, i) => String(i));
  const next = [...old.slice(0, 500), 'new', ...old.slice(500)];
  const d = check(t, old, next);
  t.same(d, { removed: [], placed: [[500, 'new']] });
});

t.test('one move costs one placement; a removal costs no placement', async (t) => {
  t.same(check(t, ['a', 'b', 'c', 'd'], ['d', 'a', 'b', 'c']), { removed: [], placed: [[0, 'd']] });
  t.same(check(t, ['a', 'b', 'c', 'd'], ['a', 'c', 'd']), { removed: ['b'], placed: [] });
});

t.test('reversal keeps one key and places the rest', async (t) => {
  const d = check(t, ['a', 'b', 'c', 'd', 'e'], ['e', 'd', 'c', 'b', 'a']);
  t.equal(d.placed.length, 4);
});

t.test('random permutations with inserts and removals round-trip', async (t) => {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let run = 0; run < 300; run++) {
    const old = Array.from({ length: Math.floor(random() * 30) }, (_, i) => `k${i}`);
    const kept = old.filter(() => random() > 0.3);
    const added = Array.from({ length: Math.floor(random() * 5) }, (_, i) => `n${run}-${i}`);
    const next = [...kept, ...added].sort(() => random() - 0.5);
    const d = diffOrder(old, next, new Set(next));
    const result = apply(old, d.removed, d.placed);
    if (JSON.stringify(result) !== JSON.stringify(next)) t.fail(`run ${run}: ${old} → ${next} gave ${result}`);
    for (let i = 1; i < d.placed.length; i++) if (d.placed[i][0] <= d.placed[i - 1][0]) t.fail('placements ascend');
  }
  t.pass('300 random edits applied exactly');
});

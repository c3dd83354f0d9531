import { z } from 'zod';
import { LiveView, type Params } from '../server/index.ts';

interface Item {
  id: number;
  name: string;
}

const ADJECTIVES = ['amber', 'brisk', 'calm', 'daring', 'eager', 'fancy', 'gentle', 'hazel', 'icy', 'jolly', 'keen', 'lunar',
  'mellow', 'noble', 'olive', 'proud', 'quiet', 'rapid', 'silver', 'tidy', 'urban', 'vivid', 'witty', 'young', 'zesty'];
const ANIMALS = ['badger', 'cobra', 'dingo', 'egret', 'falcon', 'gecko', 'heron', 'ibis', 'jackal', 'koala', 'lemur', 'marten',
  'newt', 'otter', 'panda', 'quail', 'raven', 'stoat', 'tapir', 'urchin', 'viper', 'walrus', 'yak', 'zebra'];

/** 600 items (25 × 24), shared by every session: only the matches live in a view's state. */
export const ITEMS: readonly Item[] = ADJECTIVES.flatMap((adjective, a) =>
  ANIMALS.map((animal, b) => ({ id: a * ANIMALS.length + b + 1, name: `${adjective} ${animal}` })),
);

function matching(q: string): Item[] {
  const needle = q.trim().toLowerCase();
  return needle === '' ? ITEMS.slice() : ITEMS.filter((item) => item.name.includes(needle));
}

/**
 * `/search`: filters the list as the user types; the keyed loop sends only rows that changed. The
 * query lives in the URL (`/search?q=rav`), so a search can be bookmarked, shared and reloaded:
 * typing patches the URL (replacing the history entry, not adding one per keystroke), and
 * `handleParams` filters.
 */
export class SearchView extends LiveView<{ q: string; results: Item[]; total: number }> {
  static template = 'search.html';
  static events = { search: z.object({ q: z.string().max(200) }) };

  mount() {
    return { q: '', results: [], total: ITEMS.length };
  }

  handleParams(params: Params) {
    this.state.q = (params.q ?? '').slice(0, 200);
    this.state.results = matching(this.state.q);
  }

  search({ q }: { q: string }) {
    this.pushPatch(q === '' ? '?' : `?q=${encodeURIComponent(q)}`, { replace: true });
  }
}

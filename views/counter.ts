import { LiveView } from '../server/index.ts';

/** `/counter`: the smallest live view — one number, two buttons. */
export class CounterView extends LiveView<{ count: number }> {
  static template = 'counter.html';
  static events = { inc: null, dec: null };

  mount() {
    return { count: 0 };
  }

  inc() {
    this.state.count += 1;
  }

  dec() {
    this.state.count -= 1;
  }
}

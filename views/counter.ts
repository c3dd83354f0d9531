import { LiveView } from '../server/index.ts';

/**
 * `/counter`: the smallest live view — one number, two buttons — and a live component beside
 * them (`Stepper`, views/stepper.ts) that adds its own step through `handleComponentMessage`.
 */
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

  handleComponentMessage(_id: string, message: unknown) {
    this.state.count += (message as { add: number }).add;
  }
}

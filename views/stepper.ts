import { LiveComponent, type Attrs } from '../server/index.ts';

/**
 * A live component (docs/components.md): its own step size, its own events (`lv-target` in its
 * template), and `add` hands the step to the page's view, which counts. Its state is saved with
 * the page's (the home page's), so a reconnect keeps both.
 */
export class Stepper extends LiveComponent<{ step: number }> {
  static template = 'live/stepper.html';
  static events = { smaller: null, bigger: null, add: null };

  mount(attrs: Attrs) {
    return { step: Number(attrs.step ?? 1) };
  }

  smaller() {
    this.state.step = Math.max(1, this.state.step - 1);
  }

  bigger() {
    this.state.step += 1;
  }

  add() {
    this.sendParent({ add: this.state.step });
  }
}

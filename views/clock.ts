import { LiveView } from '../server/index.ts';

/** `/clock`: the server's time, pushed every second by the process-wide tick scheduler. */
export class ClockView extends LiveView<{ now: number }> {
  static template = 'clock.html';
  static tickInterval = 1000;

  mount() {
    return { now: Date.now() };
  }

  tick() {
    this.state.now = Date.now();
  }
}

/**
 * The same clock, small, for nesting in other pages: the home page renders it with
 * `{% live "ClockBadgeView" id="clock" %}` (docs/components.md). Not routed: listed in `views`.
 */
export class ClockBadgeView extends ClockView {
  static template = 'clock-badge.html';
}

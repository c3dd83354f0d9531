/**
 * One progress bar per scenario (cli-progress, on stderr; silent when stderr is not a terminal,
 * as in CI and the smoke test). Scenarios plan a number of steps and name each as it starts.
 */
import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  plan(steps: number): void;
  step(label: string): void;
  done(): void;
}

export function createProgress(scenario: string): Progress {
  const bar = new SingleBar(
    { format: `${scenario.padEnd(18)} [{bar}] {percentage}% | {duration_formatted} | {label}`, hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  let value = 0;
  let started = false;
  return {
    plan(steps) {
      if (started) bar.setTotal(steps);
      else bar.start(steps, 0, { label: 'starting' });
      started = true;
    },
    step(label) {
      if (!started) this.plan(1);
      bar.update(value++, { label });
    },
    done() {
      if (!started) return;
      bar.update(bar.getTotal(), { label: 'done' });
      bar.stop();
    },
  };
}

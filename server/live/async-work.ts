/**
 * A view's running async work (`assignAsync`, `startAsync`; D54): one AbortController per name.
 *
 * The work runs outside the view's mailbox, so the view keeps handling events; only its outcome
 * enters the mailbox (`deliver`), in order with everything else. Starting a name again aborts the
 * running work of that name and drops its outcome; `cancel` (the view left) aborts everything and
 * drops every outcome still to come. Allocated on first use: an idle view holds none of this.
 */
import type { AsyncOutcome } from '../view/async-result.ts';

interface Task {
  readonly controller: AbortController;
  /** Settles once the work settled and its outcome was handed on (or dropped). */
  readonly done: Promise<void>;
}

export class AsyncWork {
  readonly #tasks = new Map<string, Task>();

  /** Runs `work` under `name`; its outcome goes to `deliver` unless it was replaced or cancelled first. */
  start(name: string, work: (signal: AbortSignal) => unknown, deliver: (outcome: AsyncOutcome) => void): void {
    this.#tasks.get(name)?.controller.abort();
    const controller = new AbortController();
    let running: Promise<unknown>;
    try {
      running = Promise.resolve(work(controller.signal));
    } catch (error) {
      running = Promise.reject(error);
    }
    const settle = (outcome: AsyncOutcome): void => {
      if (this.#tasks.get(name)?.controller !== controller) return; // replaced or cancelled: dropped
      this.#tasks.delete(name);
      deliver(outcome);
    };
    const done = running.then((result) => settle({ ok: true, result }), (error: unknown) => settle({ ok: false, error }));
    this.#tasks.set(name, { controller, done });
  }

  /** Aborts every running work; their outcomes are dropped. */
  cancel(): void {
    for (const task of this.#tasks.values()) task.controller.abort();
    this.#tasks.clear();
  }

  get running(): boolean {
    return this.#tasks.size > 0;
  }

  /** Resolves once no work is running (work started meanwhile is waited for too). */
  async idle(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.all([...this.#tasks.values()].map((task) => task.done));
  }
}

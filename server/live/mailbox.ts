/**
 * Runs a view's work one job at a time: events, ticks and infos never overlap on a view, and
 * events are never dropped (they queue). Synchronous jobs complete without a promise, which keeps
 * the common event path (a sync handler) free of microtask hops.
 */
export type Job = () => void | Promise<void>;

/** Told of a job that threw: the mailbox's owner (its view), so no closure per mailbox is kept. */
export interface JobFailures {
  jobFailed(error: unknown): void;
}

export class Mailbox {
  #busy = false;
  #queue: Job[] | undefined;
  readonly #owner: JobFailures;

  constructor(owner: JobFailures) {
    this.#owner = owner;
  }

  get busy(): boolean {
    return this.#busy;
  }

  run(job: Job): void {
    if (this.#busy) {
      (this.#queue ??= []).push(job);
      return;
    }
    this.#drain(job);
  }

  #drain(first: Job): void {
    this.#busy = true;
    let job: Job | undefined = first;
    while (job !== undefined) {
      let result: void | Promise<void>;
      try {
        result = job();
      } catch (error) {
        this.#owner.jobFailed(error);
        result = undefined;
      }
      if (result !== undefined && typeof result.then === 'function') {
        // Closures only on the async path: an idle mailbox holds no bound functions.
        result.then(() => this.#resume(), (error: unknown) => { this.#owner.jobFailed(error); this.#resume(); });
        return;
      }
      job = this.#queue?.shift();
    }
    this.#busy = false;
  }

  #resume(): void {
    const next = this.#queue?.shift();
    if (next === undefined) this.#busy = false;
    else this.#drain(next);
  }
}

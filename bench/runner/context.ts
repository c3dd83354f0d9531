/**
 * What a scenario works with: options, the load process, peers to start, a measured window (server
 * CPU from /proc around a load task, judged by the noise guard, re-run when disturbed), and
 * the result being built (tables, goals, histograms, charts, notes).
 */
import { LoadFleet } from './load-fleet.ts';
import type { LoadClient, Measured } from './load-process.ts';
import { NoiseGuard, verdict, waitForQuiet } from './noise-guard.ts';
import type { NoiseReport } from './noise-guard.ts';
import { PEERS } from './peers.ts';
import type { PeerName } from './peers.ts';
import { ServerUnavailable, startServer } from './server-process.ts';
import type { ServerHandle } from './server-process.ts';
import type { Progress } from './progress.ts';
import type { Chart, Column, Goal, RowStatus, Scenario, ScenarioResult, Table } from '../scenarios/types.ts';

export interface RunOptions {
  root: string;
  /** Overrides each scenario's measured window. */
  durationMs?: number;
  /** Overrides each scenario's main session count. */
  sessions?: number;
  /** Overrides the number of interleaved rounds (scenario 1). */
  rounds?: number;
  /** Restricts the peers run. */
  peers?: PeerName[];
  /** How often a window disturbed by foreign load is re-run (default 1). */
  retries?: number;
  /** Soft open-file limit the bench processes inherit. */
  fileLimit: number;
}

export type Started = { ok: true; server: ServerHandle } | { ok: false; status: RowStatus; reason: string };

export interface Window<T> {
  result: T;
  serverCpuMs: number;
  /** Server CPU as a share of one core over the task's wall time, in percent. */
  serverCpuPct: number;
  /** Load process CPU as a share of one core, in percent. */
  clientCpuPct: number;
  noise: NoiseReport;
}

export class ScenarioContext {
  opts: RunOptions;
  load: LoadClient;
  progress: Progress;
  result: ScenarioResult;
  noise: NoiseReport[] = [];
  retried = 0;
  servers = new Set<ServerHandle>();
  starting = new Set<Promise<Started>>();
  fleets = new Set<LoadFleet>();

  constructor(scenario: Scenario, opts: RunOptions, load: LoadClient, progress: Progress) {
    this.opts = opts;
    this.load = load;
    this.progress = progress;
    this.result = {
      scenario: scenario.name,
      title: scenario.title,
      what: scenario.what,
      startedAt: new Date().toISOString(),
      finishedAt: '',
      options: {},
      tables: [],
      goals: [],
      noise: { ...verdict([], 0), reports: [] },
      histograms: {},
      charts: [],
      notes: [],
      serverLogs: [],
    };
  }

  duration(defaultMs: number): number {
    return this.opts.durationMs ?? defaultMs;
  }

  sessions(defaultCount: number): number {
    return this.opts.sessions ?? defaultCount;
  }

  /** The peers asked for, in the given order, filtered by --peers. */
  peers(names: PeerName[]): PeerName[] {
    return names.filter((n) => this.opts.peers === undefined || this.opts.peers.includes(n));
  }

  table(title: string, columns: Column[]): Table {
    const table: Table = { title, columns, rows: [] };
    this.result.tables.push(table);
    return table;
  }

  goal(text: string, status: Goal['status'], detail: string): void {
    this.result.goals.push({ text, status, detail });
  }

  note(text: string): void {
    this.result.notes.push(text);
  }

  chart(chart: Chart): void {
    this.result.charts.push(chart);
  }

  histogram(key: string, encoded: string): void {
    this.result.histograms[key] = encoded;
  }

  /** Starts several peers at once (startup is the slow part of a short run; idle servers cost nothing). */
  startAll(names: PeerName[], needs: (name: PeerName) => string[], env: Record<string, string> = {}): Map<PeerName, Promise<Started>> {
    return new Map(names.map((name) => [name, this.start(name, needs(name), env)]));
  }

  /** Starts a peer (with extra environment variables) and checks it serves every view in `needs`. */
  start(name: PeerName, needs: string[], env: Record<string, string> = {}, cpu?: number): Promise<Started> {
    const starting = this.#start(name, needs, env, cpu);
    this.starting.add(starting);
    return starting.finally(() => this.starting.delete(starting));
  }

  async #start(name: PeerName, needs: string[], env: Record<string, string>, cpu?: number): Promise<Started> {
    const peer = PEERS[name];
    let server: ServerHandle;
    try {
      server = await startServer(peer, this.opts.root, env, cpu);
    } catch (err) {
      const reason = (err as Error).message;
      return err instanceof ServerUnavailable ? { ok: false, status: 'not-yet-available', reason } : { ok: false, status: 'error', reason };
    }
    const missing = needs.filter((f) => !server.has(f));
    if (missing.length > 0) {
      await server.stop();
      const pending = peer.inProgress || missing.some((f) => server.meta.pending?.includes(f));
      return { ok: false, status: pending ? 'not-yet-available' : 'error', reason: `no ${missing.join(', ')} view` };
    }
    this.servers.add(server);
    return { ok: true, server };
  }

  async stop(server: ServerHandle): Promise<void> {
    this.servers.delete(server);
    await server.stop();
    const output = server.output().trim();
    if (output !== '') this.result.serverLogs.push({ peer: server.peer.name, tail: output.slice(-4000) });
  }

  /**
   * Load processes used as one, `perProcess` sessions each (the shared one first, more started as
   * needed): for more sockets than one process's open-file limit allows. Stop it when done; a
   * failed scenario's is stopped by stopAll.
   */
  fleet(perProcess: number): LoadFleet {
    const fleet = new LoadFleet(this.load, this.opts.root, perProcess);
    this.fleets.add(fleet);
    return fleet;
  }

  /** Stops every server still running; LiveViewJS last (its disconnect crash, see its entry). */
  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.fleets].map((f) => f.stop()));
    this.fleets.clear();
    await Promise.allSettled([...this.starting]);
    const order = [...this.servers].sort((a, b) => Number(a.peer.name === 'liveviewjs') - Number(b.peer.name === 'liveviewjs'));
    for (const server of order) await this.stop(server);
  }

  /**
   * One measured window: `run` drives load while server CPU and foreign load are recorded. A window
   * disturbed by foreign load is re-run (after waiting up to 5 s for quiet) when `repeatable`.
   */
  async measure<T extends Measured>(server: ServerHandle, run: () => Promise<T>, repeatable = true): Promise<Window<T>> {
    const retries = repeatable ? (this.opts.retries ?? 1) : 0;
    for (let attempt = 0; ; attempt++) {
      const guard = new NoiseGuard();
      const cpu0 = server.cpuMs();
      let result: T;
      try {
        result = await run();
      } finally {
        guard.stop(); // never leave its sampling timer behind
      }
      const serverCpuMs = server.cpuMs() - cpu0;
      const noise = guard.stop();
      if (noise.disturbed && attempt < retries) {
        this.retried++;
        await waitForQuiet(5000);
        continue;
      }
      this.noise.push(noise);
      return {
        result,
        serverCpuMs,
        serverCpuPct: (100 * serverCpuMs) / result.elapsedMs,
        clientCpuPct: (100 * result.cpuMs) / result.elapsedMs,
        noise,
      };
    }
  }

  finish(error?: unknown): ScenarioResult {
    this.result.finishedAt = new Date().toISOString();
    this.result.noise = { ...verdict(this.noise, this.retried), reports: this.noise };
    const errored = this.result.tables.some((t) => t.rows.some((r) => r.status === 'error'));
    if (errored && this.result.serverLogs.length > 0) this.note(`Some rows failed: what the servers logged is in ${this.result.scenario}.json (serverLogs).`);
    if (error !== undefined) this.result.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return this.result;
  }
}

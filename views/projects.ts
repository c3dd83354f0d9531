import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ProjectSchema } from '../data/index.ts';
import { LiveView } from '../server/index.ts';

/** How many projects the board shows (the newest). */
const SHOWN = 100;

interface ProjectRow {
  id: string;
  name: string;
}

/**
 * `/projects`: the tenant's projects board. Every read and write goes through `this.scoped`, so
 * it only ever sees this tenant's rows — the filter on the application side, row-level security
 * in the database — whatever the client sends. It shows who else is on the board (presence) and
 * re-renders when anyone, in any process, saves a project of this tenant (notify on save).
 */
export class ProjectsView extends LiveView<{ projects: ProjectRow[]; error: string; present: number; waves: number }> {
  static template = 'projects.html';
  static events = { add: z.object({ name: z.string().max(200) }), wave: null };
  static watch = [ProjectSchema];

  async mount() {
    return { projects: await this.#list(), error: '', present: 1, waves: 0 };
  }

  async onJoin() {
    // Saves announced while this tab was disconnected were missed: read the list afresh.
    this.state.projects = await this.#list();
    await this.subscribe('board');
    await this.track('board');
    await this.#countPresent();
  }

  /** A broadcast: every tab on this tenant's board, in every process, counts the wave. */
  async wave() {
    await this.broadcast('board', { wave: true });
  }

  handleInfo(message: unknown) {
    if ((message as { wave?: unknown }).wave === true) this.state.waves += 1;
  }

  async onPresence() {
    await this.#countPresent();
  }

  async onSave() {
    this.state.projects = await this.#list();
  }

  async add({ name }: { name: string }) {
    const trimmed = name.trim();
    if (trimmed === '') {
      this.state.error = 'Give the project a name.';
      return;
    }
    await this.scoped(ProjectSchema).create({ id: randomUUID(), name: trimmed });
    this.state.error = '';
    this.state.projects = await this.#list();
  }

  async #countPresent() {
    this.state.present = (await this.presence('board')).length;
  }

  /**
   * The newest projects, oldest first. Bounded: anyone may add projects, and view state must stay
   * within `state.maxBytes` — a change past it fails with LV_STATE_OVER_LIMIT (100 names of at
   * most 200 characters stay far below the 256 KiB default).
   */
  async #list(): Promise<ProjectRow[]> {
    const rows = await this.scoped(ProjectSchema).find({}, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: SHOWN });
    return rows.reverse().map((row) => ({ id: row.id, name: row.name }));
  }
}

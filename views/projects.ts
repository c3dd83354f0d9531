import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ProjectSchema } from '../data/index.ts';
import { AsyncResult, LiveView } from '../server/index.ts';

/** How many projects the board shows (the newest). */
const SHOWN = 100;

interface ProjectRow {
  id: string;
  name: string;
}

interface Summary {
  total: number;
  newest: string | null;
}

interface ProjectsState {
  projects: ProjectRow[];
  /** What the user typed into the new project's name, as last validated (the form renders it). */
  draft: string;
  present: number;
  waves: number;
  /** The board summary, counted in the background (`assignAsync`). */
  summary: AsyncResult<Summary>;
}

/** A new project: validated as the user types (`validate`) and when they add it (`add`). */
const NewProject = z.object({
  name: z.string().trim().min(1, 'Give the project a name.').max(200, 'Keep the name under 200 characters.'),
});

/**
 * `/projects`: the tenant's projects board. Every read and write goes through `this.scoped`, so
 * it only ever sees this tenant's rows — the filter on the application side, row-level security
 * in the database — whatever the client sends. It shows who else is on the board (presence) and
 * re-renders when anyone, in any process, saves a project of this tenant (notify on save).
 */
export class ProjectsView extends LiveView<ProjectsState> {
  static template = 'projects.html';
  static events = { validate: NewProject, add: NewProject, wave: null };
  static watch = [ProjectSchema];

  async mount() {
    return { projects: await this.#list(), draft: '', present: 1, waves: 0, summary: AsyncResult.loading<Summary>() };
  }

  async onJoin() {
    // Saves announced while this tab was disconnected were missed: read the list afresh.
    this.state.projects = await this.#list();
    this.#summarize();
    await this.subscribe('board');
    await this.track('board');
    await this.#countPresent();
  }

  /** The form changed: its schema already ran (a refused name is shown beside the field); keep the draft. */
  validate({ name }: { name: string }) {
    this.state.draft = name;
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
    this.#summarize();
  }

  /** The schema refused an empty name already; after the reply the form shows the empty draft. */
  async add({ name }: { name: string }) {
    await this.scoped(ProjectSchema).create({ id: randomUUID(), name });
    this.state.draft = '';
    this.state.projects = await this.#list();
  }

  /** Counts the tenant's projects in the background: the board does not wait for it. */
  #summarize() {
    this.assignAsync('summary', async () => {
      const projects = this.scoped(ProjectSchema);
      const [total, [newest]] = await Promise.all([projects.count(), projects.find({}, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: 1 })]);
      return { total, newest: newest?.name ?? null };
    });
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

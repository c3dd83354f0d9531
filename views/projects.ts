import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ProjectSchema } from '../data/index.ts';
import { AsyncResult, LiveView, type Params } from '../server/index.ts';

/** Projects per page of the board. */
const PER_PAGE = 20;

/** The board's orders, named as the query string names them (`?sort=name`). */
const ORDERS = {
  oldest: { createdAt: 'asc', id: 'asc' },
  newest: { createdAt: 'desc', id: 'desc' },
  name: { name: 'asc', id: 'asc' },
} as const;
type Sort = keyof typeof ORDERS;

interface ProjectRow {
  id: string;
  name: string;
}

interface Summary {
  total: number;
  newest: string | null;
}

interface BoardState {
  projects: ProjectRow[];
  /** What the user typed into the new project's name, as last validated (the form renders it). */
  draft: string;
  present: number;
  waves: number;
  /** From the URL: `/projects?sort=name&page=2` (links with lv-patch change them). */
  sort: Sort;
  page: number;
  pages: number;
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
 * re-renders when anyone, in any process, saves a project of this tenant (notify on save). The
 * order and the page come from the query string; each project links to its page (`lv-navigate`).
 */
export class ProjectsView extends LiveView<BoardState> {
  static template = 'projects.html';
  static events = { validate: NewProject, add: NewProject, wave: null };
  static watch = [ProjectSchema];

  mount() {
    return { projects: [], draft: '', present: 1, waves: 0, sort: 'oldest' as Sort, page: 1, pages: 1, summary: AsyncResult.loading<Summary>() };
  }

  /** The URL's order and page: on the first render, and on every lv-patch link or back button. */
  async handleParams(params: Params) {
    this.state.sort = Object.hasOwn(ORDERS, params.sort ?? '') ? (params.sort as Sort) : 'oldest';
    this.state.page = Math.max(1, Math.floor(Number(params.page)) || 1);
    await this.#load();
  }

  async onJoin() {
    // Saves announced while this tab was disconnected were missed: read the list afresh.
    await this.#load();
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
    await this.#load();
    this.#summarize();
  }

  /** The schema refused an empty name already; after the reply the form shows the empty draft. */
  async add({ name }: { name: string }) {
    await this.scoped(ProjectSchema).create({ id: randomUUID(), name });
    this.state.draft = '';
    this.flash('info', `Added “${name}”.`);
    await this.#load();
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
   * One page of projects in the URL's order. Bounded: anyone may add projects, and view state
   * must stay within `state.maxBytes` (a change past it fails with LV_STATE_OVER_LIMIT).
   */
  async #load() {
    const projects = this.scoped(ProjectSchema);
    const total = await projects.count();
    this.state.pages = Math.max(1, Math.ceil(total / PER_PAGE));
    this.state.page = Math.min(this.state.page, this.state.pages);
    const rows = await projects.find({}, { orderBy: ORDERS[this.state.sort], limit: PER_PAGE, offset: (this.state.page - 1) * PER_PAGE });
    this.state.projects = rows.map((row) => ({ id: row.id, name: row.name }));
  }
}

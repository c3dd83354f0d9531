import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AttachmentSchema, ProjectSchema, TaskSchema } from '../data/index.ts';
import { LiveView, type Params, type UploadedFile } from '../server/index.ts';
import { ATTACHMENT_UPLOADS, sizeText } from './attachments.ts';

/** Tasks and files a project's page lists; older ones are counted, not listed (state stays bounded). */
const LISTED = 100;
/** Tasks the "Recently added" list shows: a stream (docs/views.md, "Streams"), never in the state. */
const RECENT = 5;

interface TaskRow {
  id: string;
  title: string;
  done: boolean;
}

interface FileRow {
  id: string;
  name: string;
  sizeText: string;
  type: string;
  sha256: string;
}

interface ProjectState {
  id: string;
  name: string;
  /** ISO date the project was created. */
  created: string;
  tasks: TaskRow[];
  /** Tasks still open, of all the project's tasks (not only those listed). */
  open: number;
  /** What the user typed as the new task's title, as last validated (the form renders it). */
  draft: string;
  files: FileRow[];
}

/** A new task: validated as the user types (`validateTask`) and when they add it (`addTask`). */
const NewTask = z.object({
  title: z.string().trim().min(1, 'Give the task a title.').max(200, 'Keep the title under 200 characters.'),
});
const TaskId = z.object({ id: z.string().max(64) });

/**
 * `/projects/:id`: one project of the tenant, reached from the board by `lv-navigate` (the back
 * button returns to the board). Its tasks are added with a validated form and ticked off; files
 * dropped on it upload with progress (resumable) and are listed once handled. Every tab on the
 * project, in any process, re-renders when anyone saves a task or a file (`watch`). Another
 * tenant's id or an unknown one is "not found": the board, with a flash message.
 */
export class ProjectView extends LiveView<ProjectState> {
  static template = 'project.html';
  static events = { validateTask: NewTask, addTask: NewTask, toggleTask: TaskId };
  static uploads = ATTACHMENT_UPLOADS;
  static watch = [TaskSchema, AttachmentSchema];
  static streams = { recent: {} };

  async mount(params: Params) {
    const empty = { id: params.id, name: '', created: '', tasks: [], open: 0, draft: '', files: [] };
    const project = await this.scoped(ProjectSchema).get(params.id);
    if (project === null) {
      this.flash('error', 'That project does not exist (or belongs to another team).');
      this.pushNavigate('../projects', { replace: true });
      return empty;
    }
    this.pageTitle = `${project.name} · Livery`;
    this.stream('recent', await this.#recent(project.id));
    return { ...empty, name: project.name, created: project.createdAt.toISOString(), ...(await this.#lists(project.id)) };
  }

  /**
   * Saves announced while this tab was disconnected were missed: read the lists afresh. The
   * server kept none of the recent tasks it streamed: stream them again (the join starts empty).
   */
  async onJoin() {
    await this.#load();
    await this.#restream();
  }

  /** Someone (this tab too) saved a task or a file of this tenant. */
  async onSave() {
    await this.#load();
    await this.#restream();
  }

  async #restream() {
    if (this.state.name !== '') this.stream('recent', await this.#recent(this.state.id), { reset: true });
  }

  /** The newest tasks, newest first. */
  async #recent(projectId: string) {
    const tasks = await this.scoped(TaskSchema).find({ projectId }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: RECENT });
    return tasks.map((task) => ({ id: task.id, title: task.title }));
  }

  validateTask({ title }: { title: string }) {
    this.state.draft = title;
  }

  async addTask({ title }: { title: string }) {
    const task = await this.scoped(TaskSchema).create({ projectId: this.state.id, title });
    this.state.draft = '';
    this.streamInsert('recent', { id: task.id, title: task.title }, { at: 0, limit: RECENT });
    await this.#load();
  }

  async toggleTask({ id }: { id: string }) {
    const tasks = this.scoped(TaskSchema);
    const task = await tasks.findOne({ id, projectId: this.state.id });
    if (task === null) return;
    await tasks.update(id, { done: !task.done });
    await this.#load();
  }

  /** A file arrived whole: its hash, from the stored bytes, and a row on the project. */
  async handleUpload(_field: string, file: UploadedFile) {
    const hash = createHash('sha256');
    for await (const chunk of file.stream()) hash.update(chunk as Buffer);
    await this.scoped(AttachmentSchema).create({
      id: file.id, projectId: this.state.id, name: file.name, size: file.size, type: file.type, sha256: hash.digest('hex'),
    });
    await this.#load();
  }

  async #load() {
    if (this.state.name !== '') Object.assign(this.state, await this.#lists(this.state.id));
  }

  async #lists(projectId: string): Promise<Pick<ProjectState, 'tasks' | 'open' | 'files'>> {
    const project = { projectId };
    const [tasks, open, files] = await Promise.all([
      this.scoped(TaskSchema).find(project, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: LISTED }),
      this.scoped(TaskSchema).count({ ...project, done: false }),
      this.scoped(AttachmentSchema).find(project, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: LISTED }),
    ]);
    return {
      tasks: tasks.map((task) => ({ id: task.id, title: task.title, done: task.done })),
      open,
      files: files.map((file) => ({ id: file.id, name: file.name, sizeText: sizeText(file.size), type: file.type, sha256: file.sha256 })),
    };
  }
}

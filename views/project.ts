import { ProjectSchema } from '../data/index.ts';
import { LiveView, type Params } from '../server/index.ts';

interface ProjectState {
  id: string;
  name: string;
  /** ISO date the project was created. */
  created: string;
}

/**
 * `/projects/:id`: one project of the tenant, reached from the board by `lv-navigate` (the back
 * button returns to the board). Another tenant's id or an unknown one is "not found": the board,
 * with a flash message.
 */
export class ProjectView extends LiveView<ProjectState> {
  static template = 'project.html';

  async mount(params: Params) {
    const project = await this.scoped(ProjectSchema).get(params.id);
    if (project === null) {
      this.flash('error', 'That project does not exist (or belongs to another team).');
      this.pushNavigate('../projects', { replace: true });
      return { id: params.id, name: '', created: '' };
    }
    this.pageTitle = `${project.name} · Livery`;
    return { id: project.id, name: project.name, created: project.createdAt.toISOString() };
  }
}

/**
 * An async live component reads the database tenant-scoped (D84), against the example app's
 * database: its `mount` awaits `this.scoped(ProjectSchema)`, which is its parent's tenant's —
 * never anything the client sends — on the page render (the first paint shows the rows) and on
 * the socket (loading, then the rows).
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ProjectSchema } from '../../data/project.ts';
import { LiveComponent, LiveView, route } from '../../server/index.ts';
import { createTestApp } from '../../server/testing/index.ts';
import { exampleApp } from './example-app.ts';

class ProjectNames extends LiveComponent<{ names: string[] }> {
  static template = 'components/project-names.html';
  async mount() {
    const rows = await this.scoped(ProjectSchema).find({}, { orderBy: { name: 'asc' } });
    return { names: rows.map((row) => row.name) };
  }
}

class Board extends LiveView<{ again: boolean }> {
  static template = 'board.html';
  static events = { add: null, again: null };
  mount() {
    return { again: false };
  }
  async add() {
    await this.scoped(ProjectSchema).create({ id: randomUUID(), name: `Project of ${this.tenant.id}` });
  }
  again() {
    this.state.again = true;
  }
}

const app = await createTestApp({
  ...exampleApp,
  routes: [route('/board', Board)],
  layout: undefined,
  templatesDir: fileURLToPath(new URL('./fixtures/async-component/', import.meta.url)),
  options: { components: { ProjectNames } },
});
t.teardown(() => app.close());

const names = (view: { findAll(s: string): Array<{ text: string }> }, id: string) => view.findAll(`#names-${id} li.name`).map((li) => li.text);

t.test('each tenant\'s component loads its own tenant\'s rows, on the first paint and on the socket', async (t) => {
  const initech = await app.mount('/board', { tenant: 'initech' });
  t.same(names(initech, 'names'), [], 'a new tenant has no projects');
  await initech.event('add');
  const umbrella = await app.mount('/board', { tenant: 'umbrella' });
  await umbrella.event('add');
  await umbrella.event('add');

  const page = await app.mount('/board', { tenant: 'initech' });
  t.same(names(page, 'names'), ['Project of initech'], 'the first paint shows the rows the async mount read');
  t.equal(page.find('#names-names .loading'), null);
  await page.event('again');
  await page.awaitAsync();
  t.same(names(page, 'again'), ['Project of initech'], 'a component shown on the socket reads them too');
  const other = await app.mount('/board', { tenant: 'umbrella' });
  t.same(names(other, 'names'), ['Project of umbrella', 'Project of umbrella'], 'the other tenant sees only its own');
  t.same([...initech.errors, ...umbrella.errors, ...page.errors, ...other.errors], []);
  await Promise.all([initech.close(), umbrella.close(), page.close(), other.close()]);
});

/**
 * A project's page in the example app: tasks added through a validated form and ticked off, files
 * uploaded and kept as rows of the project, every open tab of the project kept in step — and all
 * of it scoped to the tenant.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createTestApp, type TestView } from '../../server/testing/index.ts';
import { exampleApp } from './example-app.ts';

const dir = mkdtempSync(join(tmpdir(), 'lv-project-page-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const app = await createTestApp(exampleApp, { options: { uploads: { dir } } });
t.teardown(() => app.close());

const tasks = (view: TestView) => view.findAll('#tasks li.task').map((li) => `${li.classList.contains('done') ? '[x]' : '[ ]'} ${li.querySelector('.title')?.text}`);

/** A new project on `tenant`'s board, opened by its link (as a user reaches it). */
async function openProject(tenant: string, name: string): Promise<TestView> {
  const view = await app.mount('/projects', { tenant });
  await view.submit('#new-project', { name });
  await view.clickLink(`#projects li:last-child a`);
  return view;
}

t.test('tasks are added through the form, validated, and ticked off', async (t) => {
  const view = await openProject('tyrell', 'Replicants');
  t.teardown(() => view.close());
  t.equal(view.name, 'ProjectView');
  t.equal(view.find('#tasks .empty')?.text, 'No tasks yet: add the first below.');
  t.equal(view.find('#open-tasks')?.text, '0');

  await view.submit('#new-task', { title: '   ' });
  t.equal(view.find('#title-error')?.text, 'Give the task a title.', 'an empty title is refused beside the field');
  t.same(tasks(view), []);

  await view.submit('#new-task', { title: 'Design the eyes' });
  await view.submit('#new-task', { title: 'Test for empathy' });
  t.same(tasks(view), ['[ ] Design the eyes', '[ ] Test for empathy']);
  t.equal(view.find('#title-error'), null);
  t.equal(view.find('#new-task input[name=title]')?.getAttribute('value'), '', 'the form is empty after an add');
  t.equal(view.find('#open-tasks')?.text, '2');

  await view.click('#tasks li:first-child input[type=checkbox]');
  t.same(tasks(view), ['[x] Design the eyes', '[ ] Test for empathy']);
  t.equal(view.find('#open-tasks')?.text, '1');
  await view.click('#tasks li:first-child input[type=checkbox]');
  t.same(tasks(view), ['[ ] Design the eyes', '[ ] Test for empathy'], 'and back');
  t.same(view.errors.map((e) => e.code), ['LV_EVENT_PAYLOAD_INVALID'], 'the one refusal: the empty title');
});

t.test('another tab on the project sees tasks and files as they are saved', async (t) => {
  const one = await openProject('cyberdyne', 'Skynet');
  t.teardown(() => one.close());
  const two = await app.mount(one.url, { tenant: 'cyberdyne' });
  t.teardown(() => two.close());
  await one.submit('#new-task', { title: 'Do not connect it' });
  await two.waitFor(() => tasks(two).length === 1);
  t.same(tasks(two), ['[ ] Do not connect it']);

  const bytes = Buffer.from('launch codes: none\n');
  const upload = await one.upload('attachment', { name: 'notes.txt', bytes, type: 'text/plain' });
  t.equal(upload.error, undefined);
  const sha = createHash('sha256').update(bytes).digest('hex');
  t.match(one.find('#files')?.text, `notes.txt 19 B · text/plain ${sha}`, 'the file is listed with its hash');
  await two.waitFor(() => two.find('#files')?.text.includes('notes.txt') === true);
  t.pass('the other tab lists it too');

  const again = await app.mount(one.url, { tenant: 'cyberdyne' });
  t.teardown(() => again.close());
  t.match(again.find('#files')?.text, 'notes.txt', 'kept with the project: a new page load shows it');
  t.same(tasks(again), ['[ ] Do not connect it']);
});

t.test('another tenant sees none of it, and cannot tick a task it learned the id of', async (t) => {
  const acme = await openProject('oscorp', 'Goblin Glider');
  t.teardown(() => acme.close());
  await acme.submit('#new-task', { title: 'Secret task' });
  const other = await app.mount('/projects', { tenant: 'umbrella-corp' });
  t.teardown(() => other.close());
  await other.navigate(acme.url);
  t.equal(other.name, 'ProjectsView', 'the project is not found for another tenant');
  const own = await openProject('umbrella-corp', 'Hive');
  t.teardown(() => own.close());
  const taskId = acme.find('#tasks li.task')!.getAttribute('data-lv-key')!;
  await own.event('toggleTask', { id: taskId });
  t.same(tasks(own), [], 'nothing of oscorp\'s shows');
  const fresh = await app.mount(acme.url, { tenant: 'oscorp' });
  t.teardown(() => fresh.close());
  t.same(tasks(fresh), ['[ ] Secret task'], 'oscorp\'s task is untouched');
});

t.test('"Recently added" is a stream: the newest five tasks, newest first, streamed again after a reconnect', async (t) => {
  const board = await openProject('tyrell', 'Nexus');
  t.teardown(() => board.close());
  // Opened by its URL, so a reconnect rejoins this very page.
  const view = await app.mount(board.url, { tenant: 'tyrell' });
  t.teardown(() => view.close());
  const recent = () => view.stream('recent').map((item) => /<li id="recent-[^"]+">([^<]*)<\/li>/.exec(item.html)?.[1]);
  t.same(recent(), []);
  for (const title of ['one', 'two', 'three', 'four', 'five', 'six']) await view.submit('#new-task', { title });
  t.same(recent(), ['six', 'five', 'four', 'three', 'two'], 'prepended, the oldest trimmed');
  t.same(view.findAll('#recent-tasks li').map((li) => li.text), ['six', 'five', 'four', 'three', 'two']);
  await view.reconnect();
  t.same(recent(), ['six', 'five', 'four', 'three', 'two'], 'onJoin streamed them again');
});

t.test('a project reached by its link (a live navigate) survives a reconnect: the rejoin names the view the page shows now', async (t) => {
  const view = await openProject('wallace', 'Off-world');
  t.teardown(() => view.close());
  await view.submit('#new-task', { title: 'Pack' });
  t.equal(view.name, 'ProjectView');
  await view.reconnect();
  t.same(view.errors.filter((e) => e.code !== 'LV_EVENT_PAYLOAD_INVALID'), [], 'the rejoin is accepted');
  t.equal(view.name, 'ProjectView');
  t.same(tasks(view), ['[ ] Pack'], 'the project page, with its task, rejoined');
  await view.submit('#new-task', { title: 'Leave' });
  t.same(tasks(view), ['[ ] Pack', '[ ] Leave'], 'and it takes events again');
});

/// <reference lib="dom" />
/**
 * The example app in a real browser: what `npm start` serves, driven through Chromium.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { startExampleApp } from './example-server.ts';

const s = await startExampleApp();
const browser = await launchChromium();
t.teardown(async () => {
  await browser.close();
  await s.closeAll();
});

async function waitFor(probe: () => boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Opens `path` on the example app; `host` picks a tenant subdomain (`acme.localhost`). */
async function open(path: string, host = 'localhost'): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  // The tab's icon is fetched whenever the browser likes (and again per origin): not the page's doing.
  page.on('request', (request) => {
    if (!request.url().endsWith('/static/favicon.svg')) requests.push(request.url());
  });
  await page.goto(`http://${host}:${s.port}${path}`);
  await page.waitForSelector('[data-lv-view].lv-connected', { timeout: 5000 });
  return { page, errors, requests };
}

t.test('/ links every demo', async (t) => {
  const { page, errors } = await open('/');
  t.same(await page.$$eval('#demos a', (links) => links.map((a) => a.getAttribute('href'))), ['/counter', '/clock', '/search', '/projects', '/files']);
  // The clock nested with {% live %} is a view of its own on the page's socket, pushing its time.
  await page.waitForSelector('.home-clock [data-lv-view="ClockBadgeView"].lv-connected');
  const first = await page.textContent('.clock-badge');
  t.match(first, /^\d\d:\d\d:\d\d$/, 'the nested clock was rendered with the page');
  await page.waitForFunction((before) => document.querySelector('.clock-badge')?.textContent !== before, first, { timeout: 5000 });
  t.same(errors, []);
  await page.close();
});

t.test('/counter: clicking + three times shows 3, - takes one off', async (t) => {
  const { page, errors } = await open('/counter');
  t.equal(await page.textContent('#count'), '0');
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: '+', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('#count')?.textContent === '3', undefined, { timeout: 5000 });
  t.equal(await page.textContent('#count'), '3');
  await page.getByRole('button', { name: '-', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('#count')?.textContent === '2', undefined, { timeout: 5000 });
  t.same(errors, []);
  await page.close();
});

t.test('/clock advances with no HTTP request after load', async (t) => {
  const { page, errors, requests } = await open('/clock');
  const loaded = requests.length;
  const first = await page.textContent('#clock');
  t.match(first, /^\d\d:\d\d:\d\d$/);
  await page.waitForFunction((before) => document.querySelector('#clock')?.textContent !== before, first, { timeout: 5000 });
  t.not(await page.textContent('#clock'), first, 'the server pushed a new time');
  t.equal(requests.length, loaded, 'no HTTP request after load: the update came over the socket');
  t.same(errors, []);
  await page.close();
});

t.test('/search: typing narrows #results and keeps the caret in the input', async (t) => {
  const { page, errors } = await open('/search');
  t.equal(await page.locator('#results li').count(), 600);
  const input = page.locator('input[name=q]');
  await input.click();
  await input.pressSequentially('rav', { delay: 40 });
  await page.waitForFunction(() => document.querySelectorAll('#results li').length === 25, undefined, { timeout: 5000 });
  const names = await page.$$eval('#results li', (items) => items.map((li) => li.textContent ?? ''));
  t.ok(names.every((name) => name.includes('rav')), 'every result matches');
  t.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'q', 'focus stayed in the input');
  t.same(await page.evaluate(() => {
    const el = document.activeElement as HTMLInputElement;
    return [el.value, el.selectionStart, el.selectionEnd];
  }), ['rav', 3, 3], 'text and caret intact');
  await input.press('Backspace');
  await input.press('Backspace');
  await input.press('Backspace');
  await page.waitForFunction(() => document.querySelectorAll('#results li').length === 600, undefined, { timeout: 5000 });
  t.same(errors, []);
  await page.close();
});

t.test('the count survives the socket being dropped and reconnected', async (t) => {
  const { page, errors } = await open('/counter');
  for (let i = 0; i < 7; i++) {
    await page.getByRole('button', { name: '+', exact: true }).click();
    await page.waitForFunction((n) => document.querySelector('#count')?.textContent === String(n), i + 1, { timeout: 5000 });
  }
  // Drop every live socket from the server side, as a network blip or a restart would.
  const dropped = new Set(s.server.app.livery.runtime.connections);
  await page.evaluate(() => {
    const el = document.querySelector('[data-lv-view]')!;
    (window as unknown as { seen: string[] }).seen = [];
    new MutationObserver(() => (window as unknown as { seen: string[] }).seen.push(el.className)).observe(el, { attributes: true });
  });
  for (const conn of dropped) conn.close(1012, 'test drop');
  await t.resolves(waitFor(() => [...s.server.app.livery.runtime.connections].some((c) => !dropped.has(c))), 'the client reconnected');
  await page.waitForSelector('[data-lv-view].lv-connected', { timeout: 10000 });
  const seen: string[] = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  t.ok(seen.some((c) => c.includes('lv-disconnected')), 'the container showed lv-disconnected meanwhile');
  t.equal(await page.textContent('#count'), '7', 'still 7 after the reconnect');
  await page.getByRole('button', { name: '+', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('#count')?.textContent === '8', undefined, { timeout: 5000 });
  t.pass('and the resumed state keeps counting: 8');
  t.same(errors, []);
  await page.close();
});

const projectNames = (page: Page) => page.$$eval('#projects li', (items) => items.map((li) => li.textContent ?? ''));

t.test('projects: each tenant sees only its own board, by subdomain and by path', async (t) => {
  const acme = await open('/projects', 'acme.localhost');
  t.equal(await acme.page.textContent('#tenant-name'), 'Acme Corp');
  t.equal(await acme.page.$eval('#tenant-name', (h) => getComputedStyle(h).color), 'rgb(217, 72, 15)', 'in acme\'s primary color');
  t.same(await projectNames(acme.page), ['Rocket Skates', 'Giant Magnet', 'Tornado Seeds']);
  const globex = await open('/projects', 'globex.localhost');
  t.equal(await globex.page.textContent('#tenant-name'), 'Globex');
  t.same(await projectNames(globex.page), ['Doomsday Device', 'Hammock District']);
  const byPath = await open('/t/acme/projects');
  t.equal(await byPath.page.textContent('#tenant-name'), 'Acme Corp', 'localhost/t/acme/projects is acme\'s board');
  t.same(await projectNames(byPath.page), ['Rocket Skates', 'Giant Magnet', 'Tornado Seeds']);

  // Add on acme: the new row appears there (and on acme's path page after reload), never on globex.
  await acme.page.fill('input[name=name]', 'Anvil 2.0');
  await acme.page.getByRole('button', { name: 'Add project' }).click();
  await acme.page.waitForFunction(() => document.querySelectorAll('#projects li').length === 4, undefined, { timeout: 5000 });
  t.same((await projectNames(acme.page)).at(-1), 'Anvil 2.0');
  await byPath.page.reload();
  await byPath.page.waitForSelector('[data-lv-view].lv-connected');
  t.ok((await projectNames(byPath.page)).includes('Anvil 2.0'), 'the path URL shows the same tenant\'s data');
  await globex.page.reload();
  await globex.page.waitForSelector('[data-lv-view].lv-connected');
  t.same(await projectNames(globex.page), ['Doomsday Device', 'Hammock District'], 'globex never sees acme\'s project');
  for (const p of [acme, globex, byPath]) {
    t.same(p.errors, []);
    await p.page.close();
  }
});

t.test('an unknown tenant gets a 404 page and no socket', async (t) => {
  const page = await browser.newPage();
  const response = await page.goto(`http://nosuch.localhost:${s.port}/projects`);
  t.equal(response?.status(), 404);
  t.match(await page.textContent('body'), 'LV_TENANT_UNKNOWN');
  t.equal(await page.$('[data-lv-view]'), null, 'no live view container, so no socket');
  await page.close();
});

t.test('two acme tabs see each other\'s additions and the presence count; a globex tab sees neither', async (t) => {
  const one = await open('/projects', 'acme.localhost');
  const two = await open('/projects', 'acme.localhost');
  const other = await open('/projects', 'globex.localhost');
  await one.page.waitForFunction(() => document.querySelector('#presence')?.textContent === '2', undefined, { timeout: 5000 });
  t.equal(await two.page.textContent('#presence'), '2', 'both acme tabs count two people');
  t.equal(await other.page.textContent('#presence'), '1', 'globex counts only its own tab');

  await one.page.fill('input[name=name]', 'Shared live');
  await one.page.getByRole('button', { name: 'Add project' }).click();
  await two.page.waitForFunction(() => [...document.querySelectorAll('#projects li')].some((li) => li.textContent === 'Shared live'), undefined, { timeout: 5000 });
  t.pass('the second acme tab shows the addition without reloading');
  await two.page.getByRole('button', { name: /Wave/ }).click();
  await one.page.waitForFunction(() => document.querySelector('#waves')?.textContent === '1', undefined, { timeout: 5000 });
  t.pass('a broadcast from one tab reaches the other');

  await two.page.close();
  await one.page.waitForFunction(() => document.querySelector('#presence')?.textContent === '1', undefined, { timeout: 5000 });
  t.pass('a closed tab leaves the presence count');
  t.notOk((await projectNames(other.page)).includes('Shared live'), 'globex never shows acme\'s project');
  t.equal(await other.page.textContent('#waves'), '0', 'nor acme\'s waves');
  for (const p of [one, other]) {
    t.same(p.errors, []);
    await p.page.close();
  }
});

t.test('projects: a project\'s page by lv-navigate, the back button returns, the title and a flash follow', async (t) => {
  const { page, errors, requests } = await open('/projects', 'acme.localhost');
  const loaded = requests.filter((url) => !url.includes('/_livery/')).length;
  await page.fill('input[name=name]', 'Portable Hole');
  await page.getByRole('button', { name: 'Add project' }).click();
  await page.waitForSelector('#lv-flash [data-lv-flash=info]', { timeout: 5000 });
  t.equal(await page.textContent('#lv-flash [data-lv-flash=info] p'), 'Added “Portable Hole”.');
  await page.getByRole('link', { name: 'Portable Hole' }).click();
  await page.waitForSelector('#project-name', { timeout: 5000 });
  t.equal(await page.textContent('#project-name'), 'Portable Hole');
  t.match(await page.evaluate(() => location.pathname), /^\/projects\/[\w-]+$/);
  t.equal(await page.title(), 'Portable Hole · Livery', 'the title follows');
  // static/hooks.js: the RelativeTime hook fills the element the server leaves empty (lv-ignore).
  await page.waitForFunction(() => document.getElementById('project-age')?.textContent === 'just now', undefined, { timeout: 5000 });
  t.pass('the hook-driven "created … ago" shows on the project page');
  t.equal(await page.textContent('#lv-flash [data-lv-flash=info] p'), 'Added “Portable Hole”.', 'the flash survives one navigation');
  await page.goBack();
  await page.waitForSelector('#projects', { timeout: 5000 });
  t.equal(await page.evaluate(() => location.pathname), '/projects');
  t.equal(await page.title(), 'Projects · Livery');
  t.equal(await page.$('#lv-flash [data-lv-flash]'), null, 'and is gone after the second');
  t.ok((await projectNames(page)).includes('Portable Hole'));
  await page.click('#sort-name');
  await page.waitForFunction(() => location.search === '?sort=name', undefined, { timeout: 5000 });
  t.same(await projectNames(page), [...(await projectNames(page))].sort((a, b) => a.localeCompare(b)), 'sorted by name, in place');
  t.equal(requests.filter((url) => !url.includes('/_livery/')).length, loaded, 'no page load for any of it');
  t.same(errors, []);
  await page.close();
});

t.test('a navigate to another tenant becomes a full page load, which resolves the tenant afresh', async (t) => {
  const { page, errors } = await open('/t/acme/projects');
  await page.evaluate(() => {
    const link = Object.assign(document.createElement('a'), { id: 'to-globex', href: '/t/globex/projects', textContent: 'Globex' });
    link.setAttribute('lv-navigate', '');
    document.body.prepend(link);
  });
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await Promise.all([page.waitForEvent('load', { timeout: 5000 }), page.click('#to-globex')]);
  await page.waitForSelector('[data-lv-view].lv-connected', { timeout: 5000 });
  t.equal(await page.textContent('#tenant-name'), 'Globex', 'globex\'s board, from a fresh page load');
  t.same(await projectNames(page), ['Doomsday Device', 'Hammock District']);
  t.equal(sockets.length, 1, 'on a new socket');
  t.same(errors, []);
  await page.close();
});

t.test('/search?q= is a page of its own, and typing keeps the URL in step without new history entries', async (t) => {
  const { page, errors } = await open('/search?q=rav');
  t.equal(await page.locator('#results li').count(), 25);
  const entries = await page.evaluate(() => history.length);
  const input = page.locator('input[name=q]');
  await input.click();
  await input.press('End');
  await input.pressSequentially('en', { delay: 40 });
  await page.waitForFunction(() => location.search === '?q=raven', undefined, { timeout: 5000 });
  t.equal(await page.evaluate(() => history.length), entries, 'replaced, not pushed');
  t.same(errors, []);
  await page.close();
});

t.test('the navigation bar: styled from /static/app.css, live links, the current section marked', async (t) => {
  const { page, errors, requests } = await open('/t/acme/projects');
  const loaded = requests.filter((url) => !url.includes('/_livery/')).length;
  t.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.topbar')!).position), 'sticky', 'the stylesheet applies');
  const current = () => page.$$eval('nav a[aria-current=page]', (links) => links.map((a) => a.textContent));
  t.same(await current(), ['Projects']);
  t.equal(await page.getAttribute('nav a >> text=Search', 'href'), '/t/acme/search', 'links keep the tenant\'s path prefix');
  await page.click('#projects li:first-child a');
  await page.waitForSelector('#project-name', { timeout: 5000 });
  t.same(await current(), ['Projects'], 'a project\'s page is in the Projects section');
  await page.click('nav a >> text=Search');
  await page.waitForSelector('input[name=q]', { timeout: 5000 });
  t.same(await current(), ['Search']);
  t.equal(await page.evaluate(() => location.pathname), '/t/acme/search');
  await page.goBack();
  await page.waitForSelector('#project-name', { timeout: 5000 });
  t.same(await current(), ['Projects'], 'back moves the mark back');
  t.equal(requests.filter((url) => !url.includes('/_livery/')).length, loaded, 'no page load for any of it');
  t.same(errors, []);
  await page.close();
});

t.test('a project\'s page: a task added with Enter (once, the field cleared), ticked off; a file attached', async (t) => {
  const { page, errors } = await open('/projects/rocket-skates', 'acme.localhost');
  const titles = () => page.$$eval('#tasks li.task .title', (spans) => spans.map((s) => s.textContent));
  t.same(await titles(), ['Order the wheels', 'Test on the canyon road', 'Write the safety leaflet'], 'the seeded tasks');
  const input = page.locator('#new-task input[name=title]');
  await input.fill('Paint them red');
  await input.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('#tasks li.task').length === 4, undefined, { timeout: 5000 });
  t.equal(await input.inputValue(), '', 'the field is cleared');
  await input.press('Enter');
  await page.waitForSelector('#title-error', { timeout: 5000 });
  t.equal(await page.textContent('#title-error'), 'Give the task a title.', 'a second Enter adds nothing and says why');
  t.equal((await titles()).filter((title) => title === 'Paint them red').length, 1);
  await page.locator('#tasks li.task', { hasText: 'Paint them red' }).locator('input[type=checkbox]').click();
  await page.waitForSelector('#tasks li.task.done >> text=Paint them red', { timeout: 5000 });
  t.pass('ticked off');
  await page.setInputFiles('#attachment-input', { name: 'plan.txt', mimeType: 'text/plain', buffer: Buffer.from('step one: skates\n') });
  await page.waitForSelector('#files li >> text=plan.txt', { timeout: 10000 });
  t.match(await page.textContent('#files'), '17 B · text/plain');
  t.same(errors, []);
  await page.close();
});

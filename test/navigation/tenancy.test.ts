/**
 * Navigation never crosses tenants inside one socket. A navigate or patch to a URL that a page
 * load on this socket's host would serve as another tenant — another tenant's path, or a path that
 * falls back to the default tenant — comes back as a full page load, which resolves the tenant
 * afresh over HTTP; the socket's own tenant's URLs stay live. The tenant always comes from the
 * socket (its host, its first token), never from the URL a frame names.
 */
import t from 'tap';
import { createTestApp } from '../../server/testing/index.ts';
import { routes, templatesDir } from './fixtures/views.ts';

const app = await createTestApp({ routes, templatesDir }, {
  options: { tenancy: { resolver: ['subdomain', 'path'], mainDomain: 'localhost', pathPrefix: '/t', default: 'public' } },
});
t.teardown(() => app.close());
// Every tenant exists, so a refusal below is the tenant boundary, not an unknown tenant.
for (const tenant of ['acme', 'globex']) await (await app.mount('/plain', { tenant })).close();

t.test('a socket of a subdomain tenant: its URLs stay live, another tenant\'s path loads a page', async (t) => {
  const view = await app.mount('/items', { tenant: 'acme' });
  await view.navigate('/items/2');
  t.equal(view.name, 'ItemView', 'acme.localhost/items/2 is the same tenant: live');
  await view.navigate('/t/acme/items');
  t.equal(view.name, 'ItemsView', '/t/acme/… on acme.localhost: still acme, live');
  await view.navigate('/t/globex/items');
  t.equal(view.redirectedTo, '/t/globex/items', 'globex\'s path on acme\'s host: a full page load');
  t.equal(view.name, 'ItemsView', 'nothing of globex was rendered on this socket');
  await view.patch('/t/globex/items?page=2');
  t.equal(view.redirectedTo, '/t/globex/items?page=2', 'a patch too');
  t.same(view.errors, []);
  await view.close();
});

t.test('a socket of a path tenant: another tenant, or the default tenant\'s plain path, loads a page', async (t) => {
  const view = await app.mount('/t/acme/items');
  t.equal(view.url, '/t/acme/items');
  await view.clickLink('#items li:first-child a');
  t.equal(view.name, 'ItemView', 'a relative link under /t/acme stays in acme');
  t.equal(view.url, '/t/acme/items/1');
  await view.clickLink('#back');
  t.equal(view.url, '/t/acme/items');
  await view.navigate('/t/globex/items/1');
  t.equal(view.redirectedTo, '/t/globex/items/1');
  await view.navigate('/items');
  t.equal(view.redirectedTo, '/items', '/items is the default tenant\'s (public): a full page load');
  await view.navigate('/t/nosuch/items');
  t.equal(view.redirectedTo, '/t/nosuch/items', 'an unknown tenant: the page load says so (404)');
  t.equal(view.name, 'ItemsView');
  t.same(view.errors, []);
  await view.close();
});

t.test('a flash set on one tenant is never shown on another tenant\'s page', async (t) => {
  const view = await app.mount('/t/acme/items');
  await view.click('#say');
  await view.navigate('/t/globex/items');
  t.equal(view.redirectedTo, '/t/globex/items');
  const globex = await view.followRedirect();
  t.equal(globex.url, '/t/globex/items');
  t.same(globex.flash, {}, 'acme\'s message waited for acme only');
  await globex.close();
});

/**
 * A live component works in its parent's tenant (D80): its template's `tenant` and its handler's
 * `this.tenant` are the socket's, whatever the event's payload says, and each tenant's page keeps
 * its own component state.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { createTestApp } from '../../server/testing/index.ts';
import { componentRoutes, components } from './fixtures/components.ts';

const app = await createTestApp({ routes: componentRoutes, templatesDir: fileURLToPath(new URL('./fixtures/components/', import.meta.url)) }, {
  options: { components, tenancy: { resolver: ['subdomain', 'path'], mainDomain: 'localhost', pathPrefix: '/t', default: 'public' } },
});
t.teardown(() => app.close());

t.test('the component sees its parent\'s tenant, never the client\'s', async (t) => {
  const acme = await app.mount('/tenant', { tenant: 'acme' });
  const globex = await app.mount('/tenant', { tenant: 'globex' });
  t.equal(acme.find('#tenant-in-template')?.text, 'acme');
  t.equal(globex.find('#tenant-in-template')?.text, 'globex');
  // The button sends {tenant: "globex"}: only a payload, never the component's tenant.
  await acme.click('#whoami button');
  t.equal(acme.find('#tenant-in-handler')?.text, 'acme');
  t.equal(globex.find('#tenant-in-handler')?.text, '', 'the other tenant\'s page is untouched');
  await acme.reconnect();
  t.equal(acme.find('#tenant-in-handler')?.text, 'acme', 'restored from acme\'s own record');
  t.same([...acme.errors, ...globex.errors], []);
  await Promise.all([acme.close(), globex.close()]);
});

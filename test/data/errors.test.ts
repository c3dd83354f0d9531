/** Error codes and startup-check ids are part of the contract: each one is documented in docs/data.md. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { DATA_ERRORS, DATABASE_PROBLEM_IDS, DataError, isDataError } from '../../server/data/index.ts';

const doc = readFileSync(new URL('../../docs/data.md', import.meta.url), 'utf8');

t.test('every data error code and startup-check id is documented', async t => {
  for (const code of [...Object.keys(DATA_ERRORS), ...DATABASE_PROBLEM_IDS]) t.ok(doc.includes(`\`${code}\``), code);
});

t.test('DataError carries its code and status', async t => {
  const error = new DataError('LV_TENANT_MISMATCH', 'detail');
  t.equal(error.code, 'LV_TENANT_MISMATCH');
  t.equal(error.status, 403);
  t.match(error.message, /^LV_TENANT_MISMATCH: detail$/);
  t.ok(isDataError(error, 'LV_TENANT_MISMATCH'));
  t.notOk(isDataError(error, 'LV_TENANT_REQUIRED'));
  t.notOk(isDataError(new Error('x')));
});

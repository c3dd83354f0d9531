/**
 * `livery/testing`: test your views the way a browser uses them, against the real runtime.
 *
 * A test app is a real Livery server on a loopback port. Mounting fetches the page over HTTP
 * (session cookie, join token), joins its view over a real socket (the server adopts the state
 * `mount` made), and merges every reply and push with the browser client's own code, so `html()`
 * and `find()` show what the user would see. Works with any runner (tap, `node:test`, …).
 *
 * @example
 * ```ts
 * import { test } from 'node:test';
 * import assert from 'node:assert/strict';
 * import { mountView } from 'livery/testing';
 * import app from '../app.ts';
 *
 * test('the counter counts', async () => {
 *   const view = await mountView(app, '/counter');
 *   await view.click('button[lv-click=inc]');
 *   assert.equal(view.find('#count')?.text, '1');
 *   await view.close();
 * });
 * ```
 */
export { createTestApp, mountView, type MountOptions, type TestableApp, type TestApp, type TestAppOptions } from './test-app.ts';
export { TestView, type ViewError } from './test-view.ts';
export type { FieldValues } from './browser-actions.ts';
export { tusRequest, type TestFile, type TestUploadOptions, type TestUploadResult, type TusAnswer } from './test-upload.ts';

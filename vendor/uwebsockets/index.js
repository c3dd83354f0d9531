// uWebSockets.js is published on GitHub only; uws-pack@20.0.8 repacks its binaries on the npm
// registry with named exports. @geut/fastify-uws imports the package by its original name with a
// default import, so this shim provides both.
import * as uws from 'uws-pack';
export * from 'uws-pack';
export default uws;

/**
 * LiveViewJS 0.8.1 downloads mime-db from cdn.jsdelivr.net when its module loads (for uploads,
 * which the bench does not use). Imported before `liveviewjs`, this answers that one request with
 * an empty database, so the peer starts offline, quietly, and without a network round trip.
 */
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (url.includes('mime-db')) return Promise.resolve(new Response('{}', { headers: { 'content-type': 'application/json' } }));
  return realFetch(input, init);
};

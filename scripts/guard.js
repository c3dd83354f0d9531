// Plain JavaScript on purpose: this must run (and explain itself) on the system Node 20 too.
// Fails loudly when npm scripts run under the wrong Node. The `node` package puts a Node 22
// binary first on PATH inside npm scripts; if it is missing (e.g. `npm install --ignore-scripts`)
// npm silently falls back to the system Node, and MikroORM 7 / uws-pack need >= 22.17.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major !== 22 || minor < 17) {
  console.error(
    `\n  Livery needs Node.js 22 (>= 22.17); this is ${process.version} at ${process.execPath}.\n` +
      `  Run it through npm scripts (npm start, npm test), which use the Node 22 installed by\n` +
      `  \`npm install\` into node_modules/.bin. If that binary is missing, run \`npm rebuild node\`.\n`,
  );
  process.exit(1);
}

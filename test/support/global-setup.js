// Starts one embedded PostgreSQL (PG 15) for the whole Jest run, unless
// TEST_DATABASE_URL already names a server. Workers inherit the URL.
const path = require('node:path');

module.exports = async function globalSetup() {
  if (process.env.TEST_DATABASE_URL) {
    console.log(`\n[specql tests] using TEST_DATABASE_URL=${process.env.TEST_DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}`);
    return;
  }
  const { makeTempBase, startEmbedded } = require('../../dist/db/embedded.js');
  const base = makeTempBase('specql-test-');
  const server = await startEmbedded({ dataDir: path.join(base, 'data'), persistent: false });
  globalThis.__SPECQL_EMBEDDED__ = { server, base };
  process.env.TEST_DATABASE_URL = server.url;
  console.log(`\n[specql tests] embedded PostgreSQL on port ${server.port}`);
};

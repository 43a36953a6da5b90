// Starts one embedded PostgreSQL (PG 15) for the whole Jest run, unless
// TEST_DATABASE_URL already names a server. Workers inherit the URL.
// SPECQL_TEST_PG=16|17|18 runs the suite on that PostgreSQL major instead.
const path = require('node:path');

module.exports = async function globalSetup() {
  if (process.env.TEST_DATABASE_URL) {
    console.log(`\n[specql tests] using TEST_DATABASE_URL=${process.env.TEST_DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}`);
    return;
  }
  const major = process.env.SPECQL_TEST_PG;
  if (major && major !== '15') {
    // The version matrix: PostgreSQL 16–18 from the pg-bin-<major> dev dependencies.
    const { npmServerBinaries, startCluster } = require('../../dist/db/cluster.js');
    const cluster = await startCluster({ binDir: npmServerBinaries(Number(major)) });
    globalThis.__SPECQL_CLUSTER__ = cluster;
    process.env.TEST_DATABASE_URL = cluster.url;
    console.log(`\n[specql tests] PostgreSQL ${major} (pg-bin-${major}) on port ${cluster.port}`);
    return;
  }
  const { makeTempBase, startEmbedded } = require('../../dist/db/embedded.js');
  const base = makeTempBase('specql-test-');
  const server = await startEmbedded({ dataDir: path.join(base, 'data'), persistent: false });
  globalThis.__SPECQL_EMBEDDED__ = { server, base };
  process.env.TEST_DATABASE_URL = server.url;
  console.log(`\n[specql tests] embedded PostgreSQL on port ${server.port}`);
};

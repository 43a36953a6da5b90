const fs = require('node:fs');

module.exports = async function globalTeardown() {
  if (globalThis.__SPECQL_CLUSTER__) await globalThis.__SPECQL_CLUSTER__.stop();
  const embedded = globalThis.__SPECQL_EMBEDDED__;
  if (!embedded) return;
  await embedded.server.stop();
  fs.rmSync(embedded.base, { recursive: true, force: true });
};

/** `npm run test:e2e`: the real `pulumi` CLI (built by scripts/pulumi-cli.sh)
 *  drives the repository's own Pulumi project against a real PostgreSQL.
 *  Not part of `npm test`: it needs Go (for a first build) and takes minutes.
 *  One file at a time: each spends most of its time in CLI subprocesses.
 *  Everything else (ts-jest, teardown, reporters) is the unit suite's config. */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.ts'],
  globalSetup: '<rootDir>/test/e2e/support/global-setup.js',
  testTimeout: 900000,
  maxWorkers: 1,
};

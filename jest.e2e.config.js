/** `npm run test:e2e`: the real `pulumi` CLI (built by scripts/pulumi-cli.sh)
 *  drives the repository's own Pulumi project against a real PostgreSQL.
 *  Not part of `npm test`: it needs Go (for a first build) and takes minutes.
 *  One file at a time: each spends most of its time in CLI subprocesses. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
  },
  globalSetup: '<rootDir>/test/e2e/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  testTimeout: 900000,
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};

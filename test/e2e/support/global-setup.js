// The e2e run: the database server as for `npm test` (TEST_DATABASE_URL or an
// embedded PostgreSQL 15), plus the real Pulumi CLI, built once by
// scripts/pulumi-cli.sh (reused when present). Workers inherit PULUMI_CLI_BIN.
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const databaseSetup = require('../../support/global-setup.js');

module.exports = async function globalSetup() {
  await databaseSetup();
  if (!process.env.PULUMI_CLI_BIN) {
    const script = path.join(__dirname, '..', '..', '..', 'scripts', 'pulumi-cli.sh');
    const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.env.PULUMI_CLI_BIN = out.trim().split('\n').pop();
  }
  const version = execFileSync(path.join(process.env.PULUMI_CLI_BIN, 'pulumi'), ['version'], { encoding: 'utf8' }).trim();
  console.log(`[specql e2e] pulumi ${version} from ${process.env.PULUMI_CLI_BIN}`);
};

// Child process for the resumability test: applies a desired state with the
// engine compiled to <distDir>. The test sets SPECQL_TEST_KILL_AFTER_STEP so
// the executor SIGKILLs this process after that step's statement ran.
const fs = require('node:fs');
const path = require('node:path');
const [distDir, url, desiredFile] = process.argv.slice(2);
const { applyDesired } = require(path.join(distDir, 'engine', 'index.js'));
const desired = JSON.parse(fs.readFileSync(desiredFile, 'utf8'));
applyDesired(desired, { databaseUrl: url }).then(
  () => process.exit(0),
  (err) => {
    console.error(err && err.message);
    process.exit(3);
  },
);

#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli (built by `npm install` via prepare, or `npm run build`).
require('../dist/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exitCode = 1; },
);

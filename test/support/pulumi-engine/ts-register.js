// Preload for the dynamic-provider process in tests: lets `require()` load the
// TypeScript sources in src/ (the provider's handler module) without a build,
// by transpiling each .ts file on load (cached on disk by path, size and
// mtime, since every provider process loads the same files). Only the loader
// changes: the provider process itself is the unmodified
// @pulumi/pulumi cmd/dynamic-provider.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const cacheDir = path.join(os.tmpdir(), 'specql-ts-register-cache');
let ts;

function transpile(filename, source) {
  ts = ts || require('typescript');
  return ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      resolveJsonModule: true,
      useDefineForClassFields: false,
      inlineSourceMap: true,
    },
  }).outputText;
}

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  const stat = fs.statSync(filename);
  const key = crypto.createHash('sha1').update(`${filename}:${stat.size}:${stat.mtimeMs}`).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    output = transpile(filename, fs.readFileSync(filename, 'utf8'));
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, output);
      fs.renameSync(tmp, cached);
    } catch {
      // a cache is an optimisation only
    }
  }
  module._compile(output, filename);
};

// Preload for the dynamic-provider process in tests: lets `require()` load the
// TypeScript sources in src/ (the provider's handler module) without a build,
// by transpiling each .ts file on load. Only the loader changes: the provider
// process itself is the unmodified @pulumi/pulumi cmd/dynamic-provider.
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      resolveJsonModule: true,
      useDefineForClassFields: false,
      inlineSourceMap: true,
    },
  });
  module._compile(outputText, filename);
};

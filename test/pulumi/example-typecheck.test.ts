/**
 * examples/infra-repo imports this package by name; it must keep compiling
 * against the public API (src/index.ts), or the example rots unnoticed.
 */
import * as path from 'node:path';
import * as ts from 'typescript';

test('examples/infra-repo/index.ts type-checks against the package entry point', () => {
  const root = path.join(__dirname, '..', '..');
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram([path.join(root, 'examples', 'infra-repo', 'index.ts')], {
    ...parsed.options,
    noEmit: true,
    rootDir: root,
    baseUrl: root,
    paths: { 'pulumi-specql': ['src/index.ts'] },
  });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(problems).toEqual([]);
});

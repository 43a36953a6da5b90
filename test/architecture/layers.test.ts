/**
 * The pipeline's direction, enforced: each folder under src/ may import only
 * itself and the folders before it in LAYERS (a leaf first, the edges last),
 * so no stage reaches into a later one and folders form no import cycle.
 * Read from the source text with the TypeScript compiler's own scanner.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const SRC = path.join(__dirname, '..', '..', 'src');

/** Earlier folders are what later ones build on. */
const LAYERS = [
  'diagnostics', // the one Diagnostic shape
  'model', // shared object model, plan step, identifiers, expressions: imports nothing of ours
  'db', // connections, embedded server, scratch databases
  'spec', // YAML → validated model
  'desired', // model → desired objects
  'render', // one renderer per object kind: SQL, lock, transactionality, hazards
  'catalog', // live database → the same objects
  'plan', // desired vs live → steps
  'apply', // steps → report
  'load', // client-side bulk loading
  'engine', // the facade the edges call
  'worker', // specql worker: drains queues, refreshes views, maintains partitions, writes the Redis cache
  'status', // specql status: what the database and the worker's run log say about lag
  'loadtest', // synthetic rows and the load-test runner
  'verify', // checks derived from the specs, run on a live database; pgTAP tests
  'cli',
  'pulumi',
  'bench',
];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? tsFiles(full) : name.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName).filter((spec) => spec.startsWith('.'));
}

const folderOf = (file: string): string | null => {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length > 1 ? rel[0]! : null;
};

test('every src folder is placed in the layer order', () => {
  const folders = readdirSync(SRC).filter((name) => statSync(path.join(SRC, name)).isDirectory());
  expect(folders.filter((f) => !LAYERS.includes(f))).toEqual([]);
});

test('no folder imports a later stage (hence no cycles between folders)', () => {
  const violations: string[] = [];
  for (const file of tsFiles(SRC)) {
    const from = folderOf(file);
    if (from === null) continue; // src/index.ts: the package entry re-exports every stage
    for (const spec of importsOf(file)) {
      const to = folderOf(path.resolve(path.dirname(file), spec));
      if (to === null || to === from) continue;
      if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) violations.push(`${path.relative(SRC, file)} imports ${to} (${spec})`);
    }
  }
  expect(violations).toEqual([]);
});

test('the model folder imports no other folder of ours', () => {
  const outside = tsFiles(path.join(SRC, 'model')).flatMap((file) =>
    importsOf(file)
      .map((spec) => folderOf(path.resolve(path.dirname(file), spec)))
      .filter((to) => to !== 'model')
      .map((to) => `${path.relative(SRC, file)} → ${to}`),
  );
  expect(outside).toEqual([]);
});

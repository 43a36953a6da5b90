/**
 * The consuming-repository path, as a user of the published package takes it:
 * `npm pack` this package, install the tarball into a copy of
 * examples/infra-repo/ (its own package.json, TypeScript program and
 * Pulumi.yaml), then `pulumi preview` and `pulumi up` there with the real CLI.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createScratchDatabase, type ScratchDatabase } from '../../src/db/scratch';
import { catalogSnapshot, tablesIn } from './support/catalog';
import { entityBlocks } from './support/preview';
import { PulumiProject, REPO } from './support/pulumi';

let db: ScratchDatabase;
let project: PulumiProject;

beforeAll(async () => {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run through `npm run test:e2e`.');
  db = await createScratchDatabase(url, `e2e_infra_${process.pid}`);

  const root = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'specql-e2e-infra-'));
  const dir = path.join(root, 'infra');
  fs.cpSync(path.join(REPO, 'examples', 'infra-repo'), dir, { recursive: true });
  fs.cpSync(path.join(REPO, 'specs'), path.join(dir, 'specs'), { recursive: true });
  // The package as it would be published (dist/ is built by `npm run test:e2e` before jest starts).
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', root], { cwd: REPO, encoding: 'utf8' }).trim().split('\n').pop()!;
  const tarball = path.join(root, packed);
  // The example depends on pulumi-specql by version: point it at the tarball, as `npm install <tgz>` does.
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  project = PulumiProject.inDir(root, dir);
}, 900000);

afterAll(async () => {
  await db?.drop();
  project?.remove();
});

test('the tarball installs as a dependency: node_modules/pulumi-specql holds the compiled package', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(project.dir, 'package.json'), 'utf8'));
  expect(manifest.dependencies['pulumi-specql']).toMatch(/^file:.*pulumi-specql-[\d.]+\.tgz$/);
  expect(fs.existsSync(path.join(project.dir, 'node_modules', 'pulumi-specql', 'dist', 'pulumi', 'provider.js'))).toBe(true);
  // A real copy, not a link back into this repository.
  expect(fs.lstatSync(path.join(project.dir, 'node_modules', 'pulumi-specql')).isSymbolicLink()).toBe(false);
});

test('pulumi preview, then pulumi up, in the infrastructure repository (TypeScript program)', async () => {
  await project.initStack('dev', db.url);
  const before = await catalogSnapshot(db.url);
  const preview = await project.ok(['preview', '--diff'], { stack: 'dev' });
  expect(await catalogSnapshot(db.url)).toEqual(before);
  expect(entityBlocks(preview.stdout).map((b) => [b.name, b.op]).sort()).toEqual([
    ['CategoryMetrics', 'create'],
    ['CustomerMetrics', 'create'],
    ['ProductMetrics', 'create'],
    ['SalesTransaction', 'create'],
  ]);

  await project.ok(['up', '--yes', '--skip-preview'], { stack: 'dev' });
  expect(await tablesIn(db.url, 'analytics')).toEqual(['category_metrics', 'customer_metrics', 'product_metrics', 'sales_transaction', 'update_performance_metrics_queue']);
  const salesTable = await project.ok(['stack', 'output', 'salesTable'], { stack: 'dev' });
  expect(salesTable.stdout.trim()).toBe('sales_transaction');
  // The provider the state recorded runs from the installed package, not from this repository.
  const state = (await project.ok(['stack', 'export'], { stack: 'dev' })).stdout;
  expect(state).toContain('node_modules/pulumi-specql/dist/pulumi/provider');
  expect(state).not.toContain(`${REPO}/dist`);
  await project.ok(['preview', '--expect-no-changes'], { stack: 'dev' });
  // dev's deletionPolicy in this example is drop (index.ts): destroy drops the (empty) tables.
  await project.ok(['destroy', '--yes', '--skip-preview'], { stack: 'dev' });
  expect(await tablesIn(db.url, 'analytics')).toEqual([]);
});

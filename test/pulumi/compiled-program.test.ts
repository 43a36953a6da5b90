/**
 * The project as the Pulumi CLI runs it: Pulumi.yaml's `main`
 * (dist/pulumi/program.js, compiled by `npm run build`, which `npm test` runs
 * first), with the provider process loading compiled JavaScript only (no
 * TypeScript preload) from the project root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { runStack } from '../support/pulumi-engine';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { expectNoErrors, opsOf, tables, tempDir } from './support';

const REPO = path.resolve(__dirname, '../..');

describe('the compiled program named by Pulumi.yaml', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('pulumi_dist');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('deploys specs/ with stack config, its __provider loading dist/ only', async () => {
    const project = parse(fs.readFileSync(path.join(REPO, 'Pulumi.yaml'), 'utf8'));
    expect(project.name).toBe('pulumi-specql');
    const main = path.join(REPO, project.main);
    if (!fs.existsSync(main)) throw new Error(`${project.main} is missing: run \`npm run build\` first (npm test does)`);

    const stateFile = path.join(tempDir('pulumi-dist'), 'state.json');
    const result = await runStack({
      program: () => require(main),
      project: project.name,
      stack: 'dev',
      mode: 'up',
      stateFile,
      typescript: false,
      config: { databaseUrl: { secret: db.url }, partitionPremake: '2', today: '2024-06-15' },
    });
    expectNoErrors(result);
    expect(opsOf(result)).toEqual({ CategoryMetrics: 'create', CustomerMetrics: 'create', ProductMetrics: 'create', SalesTransaction: 'create' });
    expect(Object.keys(result.outputs.entities as object).sort()).toEqual(['CategoryMetrics', 'CustomerMetrics', 'ProductMetrics', 'SalesTransaction']);
    expect(await tables(db.url, 'analytics')).toEqual(expect.arrayContaining(['sales_transaction', 'product_metrics']));
    const entity = result.state.resources.find((r) => r.name === 'SalesTransaction')!;
    expect(String(entity.outputs.__provider)).toContain(path.join('dist', 'pulumi', 'provider'));
    expect(String(entity.outputs.__provider)).not.toMatch(/src[\\/]pulumi/);
  });
});

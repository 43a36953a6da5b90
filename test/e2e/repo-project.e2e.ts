/**
 * The real `pulumi` CLI on this repository's own Pulumi project (Pulumi.yaml,
 * dist/pulumi/program.js, specs/) against a real PostgreSQL: two stacks (dev,
 * prod) on two throw-away databases, with the settings of
 * examples/Pulumi.dev.yaml and examples/Pulumi.prod.yaml.
 *
 * The steps run in order and build on each other (one deployment history),
 * as a person at a terminal would; a failing step reports the CLI's output.
 *
 * SPECQL_E2E_TRANSCRIPT=docs/pulumi.md puts the `preview --diff` of the spec
 * change (the index added to the partitioned table) into that file, between
 * its transcript markers: the transcript there is captured, not typed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withClient } from '../../src/db/connection';
import { createScratchDatabase, type ScratchDatabase } from '../../src/db/scratch';
import { catalogSnapshot, count, execute, partitionedIndex, tablesIn } from './support/catalog';
import { entityBlocks, entityOps, expectOp } from './support/preview';
import { PulumiProject, REPO, transcript } from './support/pulumi';

const ENTITIES = ['CategoryMetrics', 'CustomerMetrics', 'ProductMetrics', 'SalesTransaction'];
const NEW_INDEX = 'idx_sales_payment_method';
/** The entities' tables (partitions left out) and SalesTransaction's workflow queue. */
const TABLES = ['category_metrics', 'customer_metrics', 'product_metrics', 'sales_transaction', 'update_performance_metrics_queue'];

function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run through `npm run test:e2e`.');
  return url;
}

/** The database URL with a password in it: the server trusts local connections, so it is carried, not needed. */
function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

let project: PulumiProject;
let devDb: ScratchDatabase;
let prodDb: ScratchDatabase;
let devUrl: string;
let prodUrl: string;
const devPassword = `dev-pw-${Date.now().toString(36)}-Sekret`;
const prodPassword = `prod-pw-${Date.now().toString(36)}-Sekret`;

beforeAll(async () => {
  devDb = await createScratchDatabase(serverUrl(), `e2e_dev_${process.pid}`);
  prodDb = await createScratchDatabase(serverUrl(), `e2e_prod_${process.pid}`);
  devUrl = withPassword(devDb.url, devPassword);
  prodUrl = withPassword(prodDb.url, prodPassword);
  project = PulumiProject.ofRepo('e2e-repo');
});

afterAll(async () => {
  await devDb?.drop();
  await prodDb?.drop();
  project?.remove();
});

describe('the repository project under the real pulumi CLI', () => {
  test('stack init dev takes the settings of examples/Pulumi.dev.yaml and the URL as a secret', async () => {
    expect(fs.readFileSync(path.join(project.dir, 'Pulumi.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(REPO, 'Pulumi.yaml'), 'utf8'));
    await project.initStack('dev', devUrl, path.join(REPO, 'examples', 'Pulumi.dev.yaml'));
    const file = project.stackFile('dev');
    expect(file).toMatch(/pulumi-specql:databaseUrl:\s*\n\s*secure: /);
    expect(file).not.toContain(devPassword);
    expect(file).toMatch(/pulumi-specql:partitionPremake: "?1"?\n/);
    const got = await project.ok(['config', 'get', 'deletionPolicy'], { stack: 'dev' });
    expect(got.stdout.trim()).toBe('drop');
  });

  test('preview --diff shows one Entity per spec with its plannedSql and writes nothing', async () => {
    const before = await catalogSnapshot(devDb.url);
    // --show-full-output: the CLI shows only the first three lines of a created resource's multi-line input otherwise.
    const preview = await project.ok(['preview', '--diff', '--show-full-output'], { stack: 'dev' });
    const after = await catalogSnapshot(devDb.url);
    expect(after).toEqual(before);

    const blocks = entityBlocks(preview.stdout);
    expect(blocks.map((b) => b.name).sort()).toEqual(ENTITIES);
    for (const block of blocks) {
      expect(block.op).toBe('create');
      expect(block.text).toContain('plannedSql');
      expect(block.text).toContain(`-- ${block.name}: `);
      expect(block.text).toContain('step(s) planned against');
    }
    const sales = blocks.find((b) => b.name === 'SalesTransaction')!;
    expect(sales.text).toContain('CREATE TABLE analytics.sales_transaction');
    expect(preview.stdout + preview.stderr).not.toContain(devPassword);
  });

  test('up --yes creates the entities; preview --expect-no-changes then passes', async () => {
    const up = await project.ok(['up', '--yes', '--skip-preview'], { stack: 'dev' });
    for (const entity of ENTITIES) expect(up.stdout).toMatch(new RegExp(`pulumi-nodejs:dynamic/specql:Entity ${entity} created`));
    expect(await tablesIn(devDb.url, 'analytics')).toEqual(TABLES);
    await project.ok(['preview', '--expect-no-changes'], { stack: 'dev' });
  });

  test('stack output entities --json gives the object names and refresh schedules', async () => {
    const out = await project.ok(['stack', 'output', 'entities', '--json'], { stack: 'dev' });
    const entities = JSON.parse(out.stdout) as Record<string, any>;
    expect(Object.keys(entities).sort()).toEqual(ENTITIES);
    expect(entities.SalesTransaction.table).toBe('sales_transaction');
    expect(entities.SalesTransaction.schema).toBe('analytics');
    expect(entities.SalesTransaction.partitions.length).toBeGreaterThan(1);
    expect(entities.SalesTransaction.indexes).toEqual(expect.arrayContaining(['idx_sales_transaction_date', 'idx_sales_customer_product']));
    // dev's refreshOverrides (examples/Pulumi.dev.yaml): 15 minutes instead of the spec's 1 hour.
    const schedules = entities.ProductMetrics.refreshSchedules as { view: string; interval: string }[];
    expect(schedules).toEqual([expect.objectContaining({ view: 'product_performance_mv', interval: '15 minutes' })]);
  });

  test('stack export holds no plaintext password', async () => {
    const exported = await project.ok(['stack', 'export'], { stack: 'dev' });
    expect(exported.stdout).not.toContain(devPassword);
    const state = JSON.parse(exported.stdout);
    const entity = state.deployment.resources.find((r: any) => r.urn.endsWith('::SalesTransaction'));
    expect(entity.inputs.databaseUrl).toEqual(expect.objectContaining({ ciphertext: expect.any(String) }));
    expect(entity.outputs.connection).not.toContain(devPassword);
    // With the secrets shown, the URL is there: the check above looked at the right field.
    const shown = await project.ok(['stack', 'export', '--show-secrets'], { stack: 'dev' });
    expect(shown.stdout).toContain(devPassword);
  });

  test('adding an index to the partitioned table: preview --diff shows the online SQL for that entity only; up applies it', async () => {
    const original = project.readSpec('sales_analytics.yaml');
    const changed = original.replace(
      /\nindexes:\n/,
      `\nindexes:\n  - name: ${NEW_INDEX}\n    columns: [payment_method]\n`,
    );
    expect(changed).not.toBe(original);
    project.writeSpec('sales_analytics.yaml', changed);

    const before = await catalogSnapshot(devDb.url);
    const preview = await project.ok(['preview', '--diff'], { stack: 'dev' });
    expect(await catalogSnapshot(devDb.url)).toEqual(before);
    if (process.env.SPECQL_E2E_TRANSCRIPT) writeTranscript(process.env.SPECQL_E2E_TRANSCRIPT, preview.stdout);

    const ops = entityOps(preview.stdout);
    expect(ops.SalesTransaction).toBe('update');
    for (const other of ENTITIES.filter((e) => e !== 'SalesTransaction')) expect(ops[other] ?? 'same').toBe('same');
    const sales = entityBlocks(preview.stdout).find((b) => b.name === 'SalesTransaction')!;
    expect(sales.text).toContain(`ON ONLY analytics.sales_transaction`);
    expect(sales.text).toMatch(/CREATE INDEX CONCURRENTLY/);
    expect(sales.text).toMatch(/ALTER INDEX analytics\.idx_sales_payment_method ATTACH PARTITION/);

    const up = await project.ok(['up', '--yes', '--skip-preview'], { stack: 'dev' });
    expect(up.stdout).toMatch(/Entity SalesTransaction updated/);
    expect(up.stdout).toMatch(/~ 1 updated/);
    const index = await partitionedIndex(devDb.url, 'analytics', NEW_INDEX);
    expect(index).not.toBeNull();
    expect(index!.valid).toBe(true);
    expect(index!.attached).toBe(index!.partitions);
    await project.ok(['preview', '--expect-no-changes'], { stack: 'dev' });
  });

  test('an index dropped by hand: refresh and preview show it, up repairs it', async () => {
    await execute(devDb.url, 'DROP INDEX analytics.idx_customer_metrics_segment');

    const refresh = await project.ok(['refresh', '--yes', '--diff'], { stack: 'dev' });
    const drifted = expectOp(refresh.stdout, 'CustomerMetrics', 'update');
    expect(drifted.text).toContain('idx_customer_metrics_segment');

    const preview = await project.ok(['preview', '--diff'], { stack: 'dev' });
    const block = expectOp(preview.stdout, 'CustomerMetrics', 'update');
    expect(block.text).toMatch(/CREATE INDEX[^\n]*idx_customer_metrics_segment/);

    await project.ok(['up', '--yes', '--skip-preview'], { stack: 'dev' });
    expect(await count(devDb.url, `SELECT count(*) AS n FROM pg_indexes WHERE schemaname = 'analytics' AND indexname = 'idx_customer_metrics_segment'`)).toBe(1);
    await project.ok(['preview', '--expect-no-changes'], { stack: 'dev' });
  });

  test('a broken spec fails preview with file:line:col and touches nothing', async () => {
    const original = project.readSpec('performance_metrics.yaml');
    const broken = original.replace('customer_segment: text', 'customer_segment: textt');
    expect(broken).not.toBe(original);
    project.writeSpec('performance_metrics.yaml', broken);
    const line = broken.split('\n').findIndex((l) => l.includes('customer_segment: textt')) + 1;
    try {
      const before = await catalogSnapshot(devDb.url);
      const preview = await project.run(['preview', '--diff'], { stack: 'dev' });
      expect(preview.code).not.toBe(0);
      expect(preview.stdout + preview.stderr).toMatch(new RegExp(`specs/performance_metrics\\.yaml:${line}:\\d+`));
      expect(await catalogSnapshot(devDb.url)).toEqual(before);
    } finally {
      project.writeSpec('performance_metrics.yaml', original);
    }
    await project.ok(['preview', '--expect-no-changes'], { stack: 'dev' });
  });

  test('a second stack (prod, examples/Pulumi.prod.yaml) on another database converges with its own settings', async () => {
    // @pulumi/postgresql's provider plugin cannot be built here (docs/pulumi.md): prod's `postgresql` key is left out.
    await project.initStack('prod', prodUrl, path.join(REPO, 'examples', 'Pulumi.prod.yaml'), ['postgresql']);
    await project.ok(['up', '--yes', '--skip-preview'], { stack: 'prod' });
    await project.ok(['preview', '--expect-no-changes'], { stack: 'prod' });
    await project.ok(['preview', '--expect-no-changes'], { stack: 'dev' });

    const dev = JSON.parse((await project.ok(['stack', 'output', 'entities', '--json'], { stack: 'dev' })).stdout);
    const prod = JSON.parse((await project.ok(['stack', 'output', 'entities', '--json'], { stack: 'prod' })).stdout);
    // premake 1 (dev) and 6 (prod) months ahead, retention 6 and 36: prod keeps more partitions.
    expect(prod.SalesTransaction.partitions.length).toBeGreaterThan(dev.SalesTransaction.partitions.length);
    expect(prod.ProductMetrics.refreshSchedules[0].interval).toBe('1 hour');
    expect(dev.ProductMetrics.refreshSchedules[0].interval).toBe('15 minutes');
    expect(prod.SalesTransaction.partitions).toEqual(await partitionsOf(prodDb.url));
    expect(dev.SalesTransaction.partitions).toEqual(await partitionsOf(devDb.url));
  });

  test('destroy under retain (prod) keeps the tables', async () => {
    await project.ok(['destroy', '--yes', '--skip-preview'], { stack: 'prod' });
    expect(await tablesIn(prodDb.url, 'analytics')).toEqual(TABLES);
    const exported = JSON.parse((await project.ok(['stack', 'export'], { stack: 'prod' })).stdout);
    expect((exported.deployment.resources ?? []).filter((r: any) => r.type.endsWith('specql:Entity'))).toEqual([]);
  });

  test('destroy under drop (dev) refuses a table holding rows until deletes_data is allowed', async () => {
    // dev allows deletes_data in examples/Pulumi.dev.yaml: take it away (and record that in the state) first.
    await project.ok(['config', 'rm', 'allowHazards'], { stack: 'dev' });
    await project.ok(['up', '--yes', '--skip-preview'], { stack: 'dev' });
    await execute(
      devDb.url,
      `INSERT INTO analytics.sales_transaction (transaction_id, quantity, unit_price, total_amount, transaction_date, region, category)
       VALUES (gen_random_uuid(), 1, 10, 10, now(), 'emea', 'books')`,
    );

    const refused = await project.run(['destroy', '--yes', '--skip-preview'], { stack: 'dev' });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/not dropping SalesTransaction/);
    expect(await tablesIn(devDb.url, 'analytics')).toEqual(TABLES);

    await project.ok(['config', 'set', '--path', 'allowHazards[0]', 'deletes_data'], { stack: 'dev' });
    await project.ok(['up', '--yes', '--skip-preview'], { stack: 'dev' });
    const destroy = await project.run(['destroy', '--yes', '--skip-preview'], { stack: 'dev' });
    if (destroy.code !== 0) throw new Error(transcript(destroy));
    expect(await tablesIn(devDb.url, 'analytics')).toEqual([]);
  });
});

/** The range partitions of analytics.sales_transaction (the DEFAULT partition left out, as in the outputs). */
async function partitionsOf(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'analytics.sales_transaction'::regclass
          AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT' ORDER BY 1`,
    );
    return r.rows.map((row) => row.relname as string);
  });
}

const START = '<!-- e2e transcript: start -->';
const END = '<!-- e2e transcript: end -->';

/** Replaces the text between the markers of `file` with the CLI's output, fenced. */
function writeTranscript(file: string, output: string): void {
  const target = path.resolve(REPO, file);
  const text = fs.readFileSync(target, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${file} has no ${START} … ${END} block for the transcript`);
  const body = ['', '```text', '$ pulumi preview --diff --stack dev', output.trimEnd(), '```', ''].join('\n');
  fs.writeFileSync(target, `${text.slice(0, from + START.length)}${body}${text.slice(to)}`);
}

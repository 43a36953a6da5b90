/**
 * Destroy under deletionPolicy "drop" (a table holding rows is refused without
 * deletes_data), and the repository's own program deployed as two stacks of
 * the same specs/ into two databases with different settings.
 */
import * as path from 'node:path';
import { deployFromConfig, SpecqlStack } from '../../src/pulumi';
import { runStack } from '../support/pulumi-engine';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { entityEvents, expectNoErrors, opsOf, tables, tempDir, writeSpecs } from './support';

const REPO = path.resolve(__dirname, '../..');

const EVENT = `entity: Event
schema: ops
fields:
  event_id: uuid
  happened_at: timestamptz
  kind: text
primary_key: [event_id]
partitioning:
  strategy: RANGE
  column: happened_at
  intervals: [monthly]
  start: 2024-01-01
  premake: 1
`;

const NOTE = `entity: Note
schema: ops
fields:
  note_id: uuid
  body: text
primary_key: [note_id]
`;

describe('destroy with deletionPolicy "drop"', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('pulumi_drop');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('drops empty tables, refuses a table with rows until deletes_data is allowed', async () => {
    const dir = tempDir('pulumi-drop');
    const specs = writeSpecs(dir, { 'event.yaml': EVENT, 'note.yaml': NOTE });
    const stateFile = path.join(dir, 'state.json');
    const program = (allowHazards: string[]) => () => {
      new SpecqlStack('ops', { specs, databaseUrl: db.url, today: '2024-02-10', deletionPolicy: 'drop', allowHazards });
      return {};
    };
    const options = { stateFile, stack: 'drop', config: { databaseUrl: { secret: db.url } } };
    expectNoErrors(await runStack({ ...options, program: program([]), mode: 'up' }));
    expect(await tables(db.url, 'ops')).toEqual(expect.arrayContaining(['event', 'note']));
    await db.pool.query(`INSERT INTO ops.event (event_id, happened_at, kind) VALUES (gen_random_uuid(), '2024-02-03T10:00:00Z', 'login')`);

    // Deleted in reverse order: Note (empty) goes, Event (one row) is refused.
    const refused = await runStack({ ...options, mode: 'destroy' });
    expect(refused.errors.join('\n')).toMatch(/deletes_data/);
    expect(opsOf(refused)).toEqual({ Note: 'delete' });
    const left = await tables(db.url, 'ops');
    expect(left).toContain('event');
    expect(left).not.toContain('note');
    expect((await db.pool.query('SELECT count(*)::int AS n FROM ops.event')).rows[0].n).toBe(1);
    expect(refused.state.resources.map((r) => r.name)).toContain('Event');

    // Allowing the hazard is a settings change: up records it, then destroy drops the rows too.
    const allow = await runStack({ ...options, program: program(['deletes_data']), mode: 'up' });
    expectNoErrors(allow);
    // Note was deleted by the failed destroy; the program still declares it, so it comes back.
    expect(opsOf(allow)).toEqual({ Event: 'update', Note: 'create' });
    const destroyed = await runStack({ ...options, mode: 'destroy' });
    expectNoErrors(destroyed);
    expect(entityEvents(destroyed).map((e) => [e.name, e.op])).toEqual([['Note', 'delete'], ['Event', 'delete']]);
    expect((await tables(db.url, 'ops')).filter((t) => t === 'note' || t === 'event' || t.startsWith('event_'))).toEqual([]);
    expect(destroyed.state.resources).toEqual([]);
  }, 300_000); // several full Pulumi runs each: minutes on a loaded 2-core machine
});

describe('two stacks of specs/ with different settings', () => {
  let dev: TestDatabase;
  let prod: TestDatabase;
  beforeAll(async () => {
    dev = await createTestDatabase('pulumi_dev');
    prod = await createTestDatabase('pulumi_prod');
  });
  afterAll(async () => {
    await dev.drop();
    await prod.drop();
  });

  it('dev (premake 1) and prod (premake 6) get different partition windows from the same specs', async () => {
    const dir = tempDir('pulumi-stacks');
    const program = () => ({ entities: deployFromConfig(REPO).entities });
    const deploy = (stack: string, db: TestDatabase, premake: number) =>
      runStack({
        program,
        stack,
        mode: 'up',
        stateFile: path.join(dir, `${stack}.json`),
        config: { databaseUrl: { secret: db.url }, partitionPremake: String(premake), today: '2024-06-15' },
      });
    const devRun = await deploy('dev', dev, 1);
    expectNoErrors(devRun);
    const prodRun = await deploy('prod', prod, 6);
    expectNoErrors(prodRun);
    expect(opsOf(devRun)).toEqual({ CategoryMetrics: 'create', CustomerMetrics: 'create', ProductMetrics: 'create', SalesTransaction: 'create' });

    const devSales = (devRun.outputs.entities as any).SalesTransaction;
    const prodSales = (prodRun.outputs.entities as any).SalesTransaction;
    expect(devSales.partitionWindow.premake).toBe(1);
    expect(prodSales.partitionWindow.premake).toBe(6);
    expect(prodSales.partitions.length - devSales.partitions.length).toBe(5);
    const devTables = await tables(dev.url, 'analytics');
    const prodTables = await tables(prod.url, 'analytics');
    for (const p of devSales.partitions) expect(devTables).toContain(p);
    for (const p of prodSales.partitions) expect(prodTables).toContain(p);
    expect(prodTables.length - devTables.length).toBe(5);
    // Stack outputs: plain JSON with the refresh schedule of the view.
    const product = (devRun.outputs.entities as any).ProductMetrics;
    expect(product.refreshSchedules).toEqual([
      expect.objectContaining({ view: expect.stringContaining('product_performance_mv'), interval: '1 hour', runner: expect.stringMatching(/^(pg_cron|worker)$/) }),
    ]);
    // …and the daily partition maintenance of the partitioned entity.
    expect(devSales.maintenanceSchedule).toEqual(
      expect.objectContaining({ function: 'analytics.sales_transaction_maintain_partitions', cron: '5 0 * * *', runner: expect.stringMatching(/^(pg_cron|worker)$/) }),
    );
    expect(JSON.parse(JSON.stringify(devRun.outputs))).toEqual(devRun.outputs);
  }, 300_000); // several full Pulumi runs each: minutes on a loaded 2-core machine
});

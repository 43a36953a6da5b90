/**
 * The Entity resource's whole life through the engine simulator: real
 * dynamic-provider processes, a real PostgreSQL database, state in a JSON
 * file between runs — preview, up, no-op up, spec change, refresh after manual
 * drift, a bad spec, the secret kept out of state, destroy with "retain".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpecqlStack } from '../../src/pulumi';
import { runStack, type RunResult } from '../support/pulumi-engine';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { entityEvents, expectNoErrors, indexes, opsOf, tables, tempDir, withPassword, writeSpecs } from './support';

const TODAY = '2024-03-15';

const PAGE_VIEW = `# Page views, partitioned by month
entity: PageView
schema: web
fields:
  view_id: uuid
  viewed_at: timestamptz
  path: text
  visitor_id: uuid
primary_key: [view_id]
indexes:
  - name: idx_page_view_path
    columns: [path]
partitioning:
  strategy: RANGE
  column: viewed_at
  intervals: [monthly]
  start: 2024-01-01
  premake: 2
`;

const VISITOR = `entity: Visitor
schema: web
fields:
  visitor_id: uuid
  first_seen: timestamptz
primary_key: [visitor_id]
`;

describe('Entity lifecycle through the Pulumi engine simulator', () => {
  let db: TestDatabase;
  let url: string;
  let password: string;
  let dir: string;
  let specsDir: string;
  let stateFile: string;
  const program = (extra: Record<string, unknown> = {}) => () => {
    const stack = new SpecqlStack('specql', { specs: specsDir, databaseUrl: url, today: TODAY, ...extra });
    return { entities: stack.outputs };
  };
  const run = (mode: 'preview' | 'up' | 'refresh' | 'destroy', extra: Record<string, unknown> = {}): Promise<RunResult> =>
    runStack({ program: program(extra), stateFile, mode, stack: 'lifecycle', config: { databaseUrl: { secret: url } } });

  beforeAll(async () => {
    db = await createTestDatabase('pulumi_life');
    ({ url, password } = withPassword(db.url));
    dir = tempDir('pulumi-life');
    specsDir = writeSpecs(dir, { 'page_view.yaml': PAGE_VIEW, 'visitor.yaml': VISITOR });
    stateFile = path.join(dir, 'state.json');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('preview on an empty stack creates nothing and shows the planned SQL', async () => {
    const result = await run('preview');
    expectNoErrors(result);
    expect(opsOf(result)).toEqual({ PageView: 'create', Visitor: 'create' });
    const pageView = entityEvents(result).find((e) => e.name === 'PageView')!;
    expect(pageView.inputs.planSummary).toMatchObject({ source: 'live' });
    expect(pageView.inputs.plannedSql).toMatch(/CREATE TABLE/i);
    expect(pageView.inputs.plannedSql).toContain('page_view');
    expect(result.calls.every((c) => c.startsWith('Check '))).toBe(true);
    expect(await tables(url, 'web')).toEqual([]);
    expect(fs.existsSync(stateFile)).toBe(false);
  });

  it('up creates the objects and returns the stack outputs', async () => {
    const result = await run('up');
    expectNoErrors(result);
    expect(opsOf(result)).toEqual({ PageView: 'create', Visitor: 'create' });
    const created = await tables(url, 'web');
    expect(created).toEqual(expect.arrayContaining(['page_view', 'visitor']));
    const out = (result.outputs.entities as Record<string, any>).PageView;
    expect(out).toMatchObject({ entity: 'PageView', schema: 'web', table: 'page_view' });
    expect(out.partitions.length).toBeGreaterThan(0);
    for (const partition of out.partitions) expect(created).toContain(partition);
    expect(out.indexes).toContain('idx_page_view_path');
    expect(out.partitionWindow).toMatchObject({ interval: 'monthly', premake: 2 });
    expect((await indexes(url, 'web')).some((i) => i.startsWith('idx_page_view_path'))).toBe(true);
  });

  it('keeps the connection secret out of the state file', () => {
    const state = fs.readFileSync(stateFile, 'utf8');
    expect(state).not.toContain(password);
    expect(state).not.toContain(encodeURIComponent(password));
    // The password-less URL is there (which database), the secret input only as ciphertext.
    expect(state).toContain('"connection"');
    expect(state).toContain('ciphertext');
  });

  it('up again changes nothing', async () => {
    const result = await run('up');
    expectNoErrors(result);
    for (const e of entityEvents(result)) if (e.op !== 'same') console.log(e.name, e.changedKeys, e.inputs.plannedSql);
    expect(opsOf(result)).toEqual({ PageView: 'same', Visitor: 'same' });
    expect(result.calls.filter((c) => /^(Create|Update|Delete) /.test(c))).toEqual([]);
  });

  it('a spec change shows in preview with its SQL, and up applies it', async () => {
    fs.writeFileSync(
      path.join(specsDir, 'page_view.yaml'),
      PAGE_VIEW.replace('    columns: [path]\n', '    columns: [path]\n  - name: idx_page_view_visitor\n    columns: [visitor_id]\n'),
    );
    const preview = await run('preview');
    expectNoErrors(preview);
    expect(opsOf(preview)).toEqual({ PageView: 'update', Visitor: 'same' });
    const event = entityEvents(preview).find((e) => e.name === 'PageView')!;
    expect(event.changedKeys).toEqual(expect.arrayContaining(['plannedSql', 'specHash']));
    expect(event.inputs.plannedSql).toMatch(/CREATE INDEX[^;]*idx_page_view_visitor/i);
    expect((await indexes(url, 'web')).some((i) => i.startsWith('idx_page_view_visitor'))).toBe(false);

    const up = await run('up');
    expectNoErrors(up);
    expect(opsOf(up)).toEqual({ PageView: 'update', Visitor: 'same' });
    expect((await indexes(url, 'web')).some((i) => i.startsWith('idx_page_view_visitor'))).toBe(true);
    expect(opsOf(await run('up'))).toEqual({ PageView: 'same', Visitor: 'same' });
  });

  it('refresh shows an index dropped by hand; the next up puts it back', async () => {
    await db.pool.query('DROP INDEX web.idx_page_view_visitor');
    const refresh = await runStack({ stateFile, mode: 'refresh', stack: 'lifecycle', config: { databaseUrl: { secret: url } } });
    expectNoErrors(refresh);
    const event = entityEvents(refresh).find((e) => e.name === 'PageView')!;
    expect(event.op).toBe('refresh');
    // Read gets no secret inputs: the URL (with its password) comes from the stack config via Configure.
    expect(event.providerLog).toMatch(/PageView: connecting to postgresql:\/\/[^ ]* with databaseUrl from stack config/);
    expect(event.providerLog).not.toContain(password);
    // Outputs keep the spec's names; `drift` says what the live database lacks.
    expect(event.changedKeys).toContain('drift');
    expect((event.outputs.drift as string[]).join('\n')).toMatch(/idx_page_view_visitor/);

    const preview = await run('preview');
    const pageView = entityEvents(preview).find((e) => e.name === 'PageView')!;
    expect(pageView.op).toBe('update');
    expect(pageView.inputs.plannedSql).toMatch(/idx_page_view_visitor/);
    expectNoErrors(await run('up'));
    expect((await indexes(url, 'web')).some((i) => i.startsWith('idx_page_view_visitor'))).toBe(true);
  });

  it('refresh reads a table dropped by hand as gone; up creates it again', async () => {
    await db.pool.query('DROP TABLE web.visitor');
    const refresh = await runStack({ stateFile, mode: 'refresh', stack: 'lifecycle', config: { databaseUrl: { secret: url } } });
    expectNoErrors(refresh);
    expect(opsOf(refresh)).toEqual({ PageView: 'refresh', Visitor: 'gone' });
    expect(refresh.state.resources.some((r) => r.name === 'Visitor')).toBe(false);
    const up = await run('up');
    expectNoErrors(up);
    expect(opsOf(up).Visitor).toBe('create');
    expect(await tables(url, 'web')).toContain('visitor');
  });

  it('a data-losing change is previewed with its hazard, refused by up, applied once allowed', async () => {
    fs.writeFileSync(path.join(specsDir, 'visitor.yaml'), VISITOR.replace('  first_seen: timestamptz\n', ''));
    const columns = async () =>
      (await db.pool.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'web' AND table_name = 'visitor' ORDER BY 1`)).rows.map(
        (r) => r.column_name,
      );
    try {
      const preview = await run('preview');
      expectNoErrors(preview);
      const planned = entityEvents(preview).find((e) => e.name === 'Visitor')!;
      expect(planned.op).toBe('update');
      expect(planned.inputs.plannedSql).toMatch(/DROP COLUMN[^;]*first_seen/i);
      expect((planned.inputs.planSummary as any).hazards.join(' ')).toMatch(/deletes_data/);

      const refused = await run('up');
      expect(opsOf(refused).Visitor).toBe('failed');
      expect(refused.errors.join('\n')).toMatch(/deletes_data/);
      expect(await columns()).toContain('first_seen');

      const allowed = await run('up', { allowHazards: ['deletes_data'] });
      expectNoErrors(allowed);
      expect(opsOf(allowed).Visitor).toBe('update');
      expect(await columns()).not.toContain('first_seen');
    } finally {
      fs.writeFileSync(path.join(specsDir, 'visitor.yaml'), VISITOR);
    }
    expectNoErrors(await run('up'));
    expect(await columns()).toContain('first_seen');
  });

  it('a bad spec fails check with its file, line and column', async () => {
    const bad = VISITOR.replace('first_seen: timestamptz', 'first_seen: timestampz');
    fs.writeFileSync(path.join(specsDir, 'visitor.yaml'), bad);
    try {
      const result = await run('preview');
      const event = entityEvents(result).find((e) => e.name === 'Visitor')!;
      expect(event.op).toBe('check-failed');
      expect(event.checkFailures.length).toBeGreaterThan(0);
      expect(event.checkFailures[0]!.property).toBe('sources');
      expect(event.checkFailures[0]!.reason).toMatch(/visitor\.yaml:5:\d+: .*timestampz/);
      expect(result.errors.join('\n')).toMatch(/visitor\.yaml:5:\d+/);
    } finally {
      fs.writeFileSync(path.join(specsDir, 'visitor.yaml'), VISITOR);
    }
  });

  it('renaming the table replaces the resource, deleting the old one first', async () => {
    fs.writeFileSync(path.join(specsDir, 'visitor.yaml'), VISITOR.replace('schema: web\n', 'schema: web\ntable: site_visitor\n'));
    try {
      const preview = await run('preview');
      expectNoErrors(preview);
      const planned = entityEvents(preview).find((e) => e.name === 'Visitor')!;
      expect(planned.op).toBe('replace');
      expect(planned.diff).toMatchObject({ replaces: ['target'], deleteBeforeReplace: true });
      const up = await run('up');
      expectNoErrors(up);
      expect(opsOf(up).Visitor).toBe('replace');
      const steps = up.calls.filter((c) => c.endsWith('::Visitor') && /^(Create|Delete) /.test(c)).map((c) => c.split(' ')[0]);
      expect(steps).toEqual(['Delete', 'Create']);
      expect(await tables(url, 'web')).toContain('site_visitor');
      const out = (up.outputs.entities as Record<string, any>).Visitor;
      expect(out.table).toBe('site_visitor');
    } finally {
      fs.writeFileSync(path.join(specsDir, 'visitor.yaml'), VISITOR);
    }
    const back = await run('up');
    expectNoErrors(back);
    expect(opsOf(back).Visitor).toBe('replace');
  });

  it('destroy with deletionPolicy "retain" forgets the resources and keeps the tables', async () => {
    const result = await runStack({ stateFile, mode: 'destroy', stack: 'lifecycle', config: { databaseUrl: { secret: url } } });
    expectNoErrors(result);
    expect(opsOf(result)).toEqual({ PageView: 'delete', Visitor: 'delete' });
    expect(result.state.resources).toEqual([]);
    expect(await tables(url, 'web')).toEqual(expect.arrayContaining(['page_view', 'visitor']));
    expect(entityEvents(result).map((e) => e.providerLog).join('\n')).toMatch(/retain/);
  });
});

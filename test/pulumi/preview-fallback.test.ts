/**
 * When the planned SQL cannot come from the live database — the URL is an
 * output not known during preview, or the server is unreachable — check shows
 * the fresh-database DDL instead, clearly labelled as such.
 */
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { Entity, SpecqlStack } from '../../src/pulumi';
import { EntityProvider } from '../../src/pulumi/provider';
import { runStack, UNKNOWN } from '../support/pulumi-engine';
import { entityEvents, expectNoErrors, tempDir } from './support';

const SPEC = `entity: Reading
schema: iot
fields:
  reading_id: uuid
  taken_at: timestamptz
  value: numeric(10,2)
primary_key: [reading_id]
indexes:
  - name: idx_reading_taken_at
    columns: [taken_at]
    type: BRIN
`;

/** Stands in for a database created in the same stack: its URL is an output, unknown during preview. */
const databaseProvider: pulumi.dynamic.ResourceProvider = {
  async create() {
    return { id: 'db', outs: { url: 'postgresql://app:never-dialled@127.0.0.1:1/app' } };
  },
};
class FakeDatabase extends pulumi.dynamic.Resource {
  declare readonly url: pulumi.Output<string>;
  constructor(name: string) {
    super(databaseProvider, name, { url: undefined }, undefined, 'test', 'Database');
  }
}

describe('planned SQL without a live database', () => {
  it('preview with the database URL unknown shows the fresh-database DDL, labelled', async () => {
    const dir = tempDir('pulumi-unknown');
    const result = await runStack({
      stateFile: path.join(dir, 'state.json'),
      mode: 'preview',
      program: () => {
        const db = new FakeDatabase('db');
        new Entity('Reading', { entity: 'Reading', sources: [{ file: 'specs/reading.yaml', text: SPEC }], databaseUrl: db.url });
        return {};
      },
    });
    expectNoErrors(result);
    const event = entityEvents(result).find((e) => e.name === 'Reading')!;
    expect(event.op).toBe('create');
    expect(event.inputs.databaseUrl).toBe(UNKNOWN);
    expect(event.inputs.planSummary).toMatchObject({ source: 'fresh-database' });
    expect(event.inputs.plannedSql).toMatch(/^-- Reading: DDL for a FRESH database, not a live plan: the database URL is not known yet/);
    expect(event.inputs.plannedSql).toMatch(/CREATE TABLE[^;]*reading/i);
    expect(event.inputs.plannedSql).toMatch(/idx_reading_taken_at/);
  });

  it('check against an unreachable server falls back to the fresh DDL and hides the password', async () => {
    const provider = new EntityProvider();
    const url = 'postgresql://app:Do-Not-Print-Me@127.0.0.1:1/app';
    const result = await provider.check({}, {
      entity: 'Reading',
      sources: [{ file: 'specs/reading.yaml', text: SPEC }],
      databaseUrl: url,
      settings: { premake: null, retention: null, refreshOverrides: {}, allowHazards: [], deletionPolicy: 'retain', today: '2024-01-10' },
      providerVersion: 'test',
    });
    expect(result.failures ?? []).toEqual([]);
    const inputs = result.inputs as Record<string, any>;
    expect(inputs.planSummary.source).toBe('fresh-database');
    expect(inputs.planSummary.note).toMatch(/unreachable/);
    expect(inputs.plannedSql).toMatch(/CREATE TABLE/i);
    expect(inputs.connection).toBe('postgresql://app@127.0.0.1:1/app');
    expect(JSON.stringify({ ...inputs, databaseUrl: undefined })).not.toContain('Do-Not-Print-Me');
  });
});

describe('preview with @pulumi/postgresql owning the database objects', () => {
  it('lists the postgresql resources (simulated, never driven) and plans every entity', async () => {
    const dir = tempDir('pulumi-pg');
    const result = await runStack({
      stateFile: path.join(dir, 'state.json'),
      mode: 'preview',
      program: () => {
        new SpecqlStack('specql', {
          specs: path.resolve(__dirname, '../../specs'),
          databaseUrl: 'postgresql://app:never-dialled@127.0.0.1:1/analytics',
          today: '2024-06-15',
          postgresql: { roles: [{ name: 'analytics_writer' }], executeGrants: ['analytics_writer'] },
        });
        return {};
      },
    });
    expectNoErrors(result);
    const byType = (type: string) => result.events.filter((e) => e.type === type).map((e) => [e.name, e.op, e.simulated]);
    expect(byType('postgresql:index/schema:Schema')).toEqual([
      ['specql-schema-analytics', 'create', true],
      ['specql-schema-analytics_archive', 'create', true],
    ]);
    expect(byType('postgresql:index/extension:Extension')).toEqual([['specql-extension-btree_gist', 'create', true]]);
    expect(byType('postgresql:index/grant:Grant')).toEqual([['specql-grant-analytics_writer-analytics-functions', 'create', true]]);
    const entities = entityEvents(result);
    expect(entities.map((e) => e.op)).toEqual(['create', 'create', 'create', 'create']);
    // The server is unreachable: every entity shows the labelled fresh-database DDL.
    for (const e of entities) expect((e.inputs.planSummary as any).source).toBe('fresh-database');
  });
});

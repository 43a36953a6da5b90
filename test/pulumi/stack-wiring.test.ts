/**
 * SpecqlStack wiring with the SDK's plain mocks (no provider process, no
 * database): one Entity per spec, dependsOn edges from workflow sources to
 * their targets, and the @pulumi/postgresql resources with their inputs.
 */
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { Entity, SpecqlStack } from '../../src/pulumi';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require('@pulumi/pulumi/runtime/settings');

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
  dependencies: string[];
  provider: string;
  urn: string;
}

async function run(program: () => unknown): Promise<Registered[]> {
  const registered: Registered[] = [];
  const byName = new Map<string, Registered>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const r = byName.get(`${args.type}::${args.name}`);
        if (r) r.inputs = args.inputs;
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    'pulumi-specql',
    'unit',
    false,
  );
  const monitor = settings.getMonitor();
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, cb: any) => {
    const type = req.getType();
    const name = req.getName();
    const r: Registered = { type, name, inputs: {}, dependencies: req.getDependenciesList(), provider: req.getProvider(), urn: '' };
    registered.push(r);
    byName.set(`${type}::${name}`, r);
    original(req, (err: unknown, resp: any) => {
      if (resp) r.urn = resp.getUrn();
      cb(err, resp);
    });
  };
  pulumi.runtime.setAllConfig({});
  await pulumi.runtime.runInPulumiStack(async () => program());
  await settings.waitForRPCs();
  return registered;
}

const SPECS = path.join(__dirname, '../../specs');
const ENTITY_TYPE = 'pulumi-nodejs:dynamic/specql:Entity';

describe('SpecqlStack wiring (plain mocks)', () => {
  it('registers one Entity per spec, workflow targets before their source, sources carried along', async () => {
    const resources = await run(() => {
      new SpecqlStack('specql', { specs: SPECS, databaseUrl: 'postgresql://app:pw@db:5432/analytics', sequential: false });
    });
    const entities = resources.filter((r) => r.type === ENTITY_TYPE);
    expect(entities.map((e) => e.name).sort()).toEqual(['CategoryMetrics', 'CustomerMetrics', 'ProductMetrics', 'SalesTransaction']);
    const urn = (name: string) => entities.find((e) => e.name === name)!.urn;
    const sales = entities.find((e) => e.name === 'SalesTransaction')!;
    expect(sales.dependencies.sort()).toEqual([urn('CategoryMetrics'), urn('CustomerMetrics'), urn('ProductMetrics')].sort());
    for (const name of ['CategoryMetrics', 'CustomerMetrics', 'ProductMetrics']) {
      expect(entities.find((e) => e.name === name)!.dependencies).toEqual([]);
    }
    // Its own file plus the file of the entities it writes.
    expect(sales.inputs.sources.map((s: any) => path.basename(s.file)).sort()).toEqual(['performance_metrics.yaml', 'sales_analytics.yaml']);
    expect(sales.inputs.entity).toBe('SalesTransaction');
    expect(sales.inputs.providerVersion).toMatch(/^\d+\.\d+\.\d+\+p\d+$/);
    expect(sales.inputs.settings.deletionPolicy).toBe('retain');
    // Registration order: targets first.
    expect(entities.map((e) => e.name).indexOf('SalesTransaction')).toBe(3);
  });

  it('sequential (default) chains the entities in deployment order', async () => {
    const resources = await run(() => {
      new SpecqlStack('specql', { specs: SPECS, databaseUrl: 'postgresql://app:pw@db:5432/analytics' });
    });
    const entities = resources.filter((r) => r.type === ENTITY_TYPE);
    for (let i = 1; i < entities.length; i++) expect(entities[i]!.dependencies).toContain(entities[i - 1]!.urn);
  });

  it('lets @pulumi/postgresql own schemas, extensions, roles and grants, wired around the entities', async () => {
    const resources = await run(() => {
      new SpecqlStack('specql', {
        specs: SPECS,
        databaseUrl: 'postgresql://app:s3cret@db.internal:6432/analytics?sslmode=require',
        sequential: false,
        postgresql: { roles: [{ name: 'analytics_writer' }], executeGrants: ['analytics_writer'] },
      });
    });
    const provider = resources.find((r) => r.type === 'pulumi:providers:postgresql')!;
    expect(provider.inputs).toMatchObject({ host: 'db.internal', port: '6432', username: 'app', database: 'analytics', sslmode: 'require', superuser: 'false' });
    const schemas = resources.filter((r) => r.type === 'postgresql:index/schema:Schema');
    expect(schemas.map((s) => s.inputs.name).sort()).toEqual(['analytics', 'analytics_archive']);
    expect(schemas.every((s) => s.provider.startsWith(provider.urn))).toBe(true);
    const extension = resources.find((r) => r.type === 'postgresql:index/extension:Extension')!;
    expect(extension.inputs).toMatchObject({ name: 'btree_gist', database: 'analytics' });
    const role = resources.find((r) => r.type === 'postgresql:index/role:Role')!;
    expect(role.inputs).toMatchObject({ name: 'analytics_writer', login: false });
    const entities = resources.filter((r) => r.type === ENTITY_TYPE);
    for (const entity of entities) {
      for (const dep of [...schemas, extension, role]) expect(entity.dependencies).toContain(dep.urn);
    }
    const grant = resources.find((r) => r.type === 'postgresql:index/grant:Grant')!;
    expect(grant.inputs).toMatchObject({ role: 'analytics_writer', schema: 'analytics', objectType: 'function', privileges: ['EXECUTE'], database: 'analytics' });
    for (const entity of entities) expect(grant.dependencies).toContain(entity.urn);
  });
});

describe('Entity inputs (plain mocks)', () => {
  it('accepts the spec as a parsed YAML document, carried as generated YAML text', async () => {
    const resources = await run(() => {
      new Entity('Tag', {
        entity: 'Tag',
        spec: { entity: 'Tag', schema: 'app', fields: { tag_id: 'uuid', label: 'text' }, primary_key: ['tag_id'] },
        databaseUrl: 'postgresql://app:pw@db:5432/app',
      });
    });
    const tag = resources.find((r) => r.type === ENTITY_TYPE)!;
    expect(tag.inputs.sources).toEqual([{ file: 'Tag.inline.yaml', text: expect.stringContaining('entity: Tag') }]);
    expect(tag.inputs.sources[0].text).toContain('label: text');
  });
});

describe('SpecqlStack refuses programs that would be destructive by mistake', () => {
  it('an empty or wrong specs path is an error, not an empty stack', () => {
    const dir = require('node:fs').mkdtempSync(path.join(require('node:os').tmpdir(), 'specql-empty-'));
    expect(() => new SpecqlStack('s', { specs: dir, databaseUrl: 'postgresql://x@y/z' })).toThrow(/no entities found/);
  });

  it('the same entity declared in two files is named with both files', () => {
    const fs = require('node:fs');
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'specql-twice-'));
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'entity: Dup\nschema: s\nfields:\n  id: uuid\n');
    fs.writeFileSync(path.join(dir, 'b.yaml'), 'entity: Dup\nschema: s\nfields:\n  id: uuid\n');
    expect(() => new SpecqlStack('s', { specs: dir, databaseUrl: 'postgresql://x@y/z' })).toThrow(/Dup is declared twice, in .*a\.yaml and .*b\.yaml/);
  });
});

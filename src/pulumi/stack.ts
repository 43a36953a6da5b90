/**
 * `SpecqlStack`: a specs directory as Pulumi resources — one `Entity` per
 * spec, each depending on the entities its workflow writes, optionally with
 * `@pulumi/postgresql` owning the database-level objects (schemas,
 * extensions, roles, grants) the entities then depend on.
 */
import * as pulumi from '@pulumi/pulumi';
import * as postgresql from '@pulumi/postgresql';
import { urlParts } from './connection';
import { deploymentOrder, discoverEntities, projectRoot, readSources, sourcesFor, specFilesUnder, type DiscoveredEntity, type SpecSource } from './discover';
import { Entity, type EntitySettingsArgs, type EntityStackOutputs } from './entity';

export interface PostgresqlObjectsArgs {
  /** Create each schema the specs use (and the archive schemas) as `postgresql.Schema`. Default true. */
  readonly schemas?: boolean;
  /** Create the extensions the specs need (`btree_gist` for GiST on scalar columns) as `postgresql.Extension`. Default true. */
  readonly extensions?: boolean;
  /** Roles to create (NOLOGIN unless `login`), e.g. the application role that calls the generated functions. */
  readonly roles?: readonly { readonly name: string; readonly login?: boolean }[];
  /** Roles granted EXECUTE on the generated functions of every entity schema (after the entities). */
  readonly executeGrants?: readonly string[];
  /** Keep these objects on `pulumi destroy` (default: when deletionPolicy is "retain"). */
  readonly retainOnDelete?: boolean;
}

export interface SpecqlStackArgs extends EntitySettingsArgs {
  /** Spec files or directories (every .yaml/.yml inside), relative to `root`. */
  readonly specs: string | readonly string[];
  /** Where relative `specs` paths start: default the Pulumi project's root (the directory of Pulumi.yaml), not the cwd. */
  readonly root?: string;
  /** PostgreSQL URL for this stack's database; stored as a secret. */
  readonly databaseUrl: pulumi.Input<string>;
  /** Let @pulumi/postgresql own database-level objects; off by default (the entities create what they need). */
  readonly postgresql?: PostgresqlObjectsArgs | boolean;
  /**
   * Apply entities one after another (default true). Entities share schemas and
   * extensions, and concurrent DDL on shared catalog rows can fail; the order is
   * workflow targets first, then file order.
   */
  readonly sequential?: boolean;
}

export class SpecqlStack extends pulumi.ComponentResource {
  /** One Entity per spec, by entity name. */
  readonly entities: Readonly<Record<string, Entity>>;
  /** Per entity: generated names, partition window, refresh schedules (plain JSON). */
  readonly outputs: pulumi.Output<Record<string, EntityStackOutputs>>;
  /** The @pulumi/postgresql resources, when asked for. */
  readonly postgresqlResources: readonly pulumi.CustomResource[];

  constructor(name: string, args: SpecqlStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super('specql:index:SpecqlStack', name, {}, opts);
    const paths = typeof args.specs === 'string' ? [args.specs] : [...args.specs];
    const root = args.root ?? projectRoot(pulumi.runtime.getRootDirectory());
    const sources = readSources(specFilesUnder(root, paths), root);
    const found = discoverEntities(sources);
    for (const e of found) {
      const twin = found.find((o) => o !== e && o.name === e.name);
      if (twin) throw new Error(`SpecqlStack ${name}: entity ${e.name} is declared twice, in ${e.file} and ${twin.file}`);
    }
    const discovered = deploymentOrder(found);
    if (discovered.length === 0) {
      // An empty program would delete every Entity of the stack: refuse instead (a wrong path is the usual cause).
      throw new Error(`SpecqlStack ${name}: no entities found in ${paths.join(', ')} (no .yaml file with an "entity:" key)`);
    }
    const databaseUrl = pulumi.secret(args.databaseUrl);

    const shared = args.postgresql ? this.databaseObjects(name, discovered, databaseUrl, args) : { before: [], roles: [], provider: undefined, all: [] };
    const entities: Record<string, Entity> = {};
    let previous: Entity | undefined;
    for (const spec of discovered) {
      const dependsOn: pulumi.Resource[] = [...shared.before];
      for (const target of spec.writes) {
        const t = entities[target];
        if (t) dependsOn.push(t);
      }
      if (args.sequential !== false && previous && !dependsOn.includes(previous)) dependsOn.push(previous);
      const entity = new Entity(
        spec.name,
        {
          entity: spec.name,
          sources: sourcesFor(spec, discovered, sources) as SpecSource[],
          databaseUrl,
          premake: args.premake,
          retention: args.retention,
          refreshOverrides: args.refreshOverrides,
          allowHazards: args.allowHazards,
          deletionPolicy: args.deletionPolicy,
          today: args.today,
          lockWait: args.lockWait,
        },
        { parent: this, dependsOn },
      );
      entities[spec.name] = entity;
      previous = entity;
    }
    if (args.postgresql && typeof args.postgresql === 'object' && shared.provider) {
      shared.all.push(...this.grants(name, discovered, args.postgresql, shared.provider, databaseUrl, [...Object.values(entities), ...shared.roles]));
    }

    this.entities = entities;
    this.postgresqlResources = shared.all;
    this.outputs = pulumi.output(
      Object.fromEntries(
        Object.entries(entities).map(([entityName, e]) => [
          entityName,
          {
            entity: e.entity,
            schema: e.schema,
            table: e.table,
            partitions: e.partitions,
            defaultPartition: e.defaultPartition,
            indexes: e.indexes,
            functions: e.functions,
            triggers: e.triggers,
            queue: e.queue,
            materializedViews: e.materializedViews,
            partitionWindow: e.partitionWindow,
            queueSchedules: e.queueSchedules,
            refreshSchedules: e.refreshSchedules,
            maintenanceSchedule: e.maintenanceSchedule,
          },
        ]),
      ),
    ) as unknown as pulumi.Output<Record<string, EntityStackOutputs>>;
    this.registerOutputs({ outputs: this.outputs });
  }

  private databaseObjects(name: string, entities: readonly DiscoveredEntity[], databaseUrl: pulumi.Output<string>, args: SpecqlStackArgs) {
    const options: PostgresqlObjectsArgs = typeof args.postgresql === 'object' ? args.postgresql : {};
    // Only the password is secret: host, port, user and database name stay readable in previews.
    const parts = databaseUrl.apply(urlParts);
    const open = <K extends keyof ReturnType<typeof urlParts>>(key: K) => pulumi.unsecret(parts.apply((p) => p[key]));
    const provider = new postgresql.Provider(
      `${name}-postgresql`,
      {
        host: open('host'),
        port: open('port'),
        username: open('username'),
        password: pulumi.secret(parts.password),
        database: open('database'),
        sslmode: open('sslmode'),
        superuser: false,
      },
      { parent: this },
    );
    const retainOnDelete = options.retainOnDelete ?? args.deletionPolicy !== 'drop';
    const child = { parent: this, provider, retainOnDelete };
    const before: pulumi.CustomResource[] = [];
    if (options.schemas !== false) {
      const schemas = new Set<string>();
      for (const e of entities) {
        if (e.schema) schemas.add(e.schema);
        if (e.archiveSchema) schemas.add(e.archiveSchema);
      }
      for (const schema of [...schemas].sort()) {
        before.push(new postgresql.Schema(`${name}-schema-${schema}`, { name: schema, database: open('database'), ifNotExists: true }, child));
      }
    }
    if (options.extensions !== false && entities.some((e) => e.indexMethods.includes('gist'))) {
      before.push(new postgresql.Extension(`${name}-extension-btree_gist`, { name: 'btree_gist', database: open('database') }, child));
    }
    const roles = (options.roles ?? []).map((role) => new postgresql.Role(`${name}-role-${role.name}`, { name: role.name, login: role.login ?? false }, child));
    before.push(...roles);
    return { before, roles, provider, all: [provider, ...before] as pulumi.CustomResource[] };
  }

  private grants(
    name: string,
    entities: readonly DiscoveredEntity[],
    options: PostgresqlObjectsArgs,
    provider: postgresql.Provider,
    databaseUrl: pulumi.Output<string>,
    after: readonly pulumi.Resource[],
  ): pulumi.CustomResource[] {
    const database = pulumi.unsecret(databaseUrl.apply((u) => urlParts(u).database));
    const schemas = [...new Set(entities.map((e) => e.schema).filter((s): s is string => s !== null))].sort();
    const out: pulumi.CustomResource[] = [];
    for (const role of options.executeGrants ?? []) {
      for (const schema of schemas) {
        out.push(
          new postgresql.Grant(
            `${name}-grant-${role}-${schema}-functions`,
            { database, role, schema, objectType: 'function', privileges: ['EXECUTE'] },
            { parent: this, provider, dependsOn: [...after] },
          ),
        );
      }
    }
    return out;
  }
}

/**
 * An infrastructure repository using pulumi-specql as a library: the specs
 * live in ./specs next to this file, settings come from the stack config.
 *
 *   pulumi stack init prod
 *   pulumi config set --secret databaseUrl 'postgresql://deploy:…@db.internal:5432/analytics?sslmode=require'
 *   pulumi config set partitionPremake 6
 *   pulumi preview --diff
 *   pulumi up
 */
import * as pulumi from '@pulumi/pulumi';
import { SpecqlStack, type PostgresqlObjectsArgs } from 'pulumi-specql';

const config = new pulumi.Config();

const analytics = new SpecqlStack('analytics', {
  specs: 'specs',
  databaseUrl: config.requireSecret('databaseUrl'),
  premake: config.getNumber('partitionPremake'),
  retention: config.getNumber('retention'),
  refreshOverrides: config.getObject<Record<string, string>>('refreshOverrides'),
  allowHazards: config.getObject<string[]>('allowHazards'),
  deletionPolicy: pulumi.getStack() === 'prod' ? 'retain' : 'drop',
  // Database-level objects owned by @pulumi/postgresql, created before the entities, when the
  // stack config asks for them (it needs the postgresql provider plugin), e.g. in Pulumi.prod.yaml:
  //   analytics-infra:postgresql: { roles: [{ name: analytics_writer }], executeGrants: [analytics_writer] }
  postgresql: config.getObject<PostgresqlObjectsArgs>('postgresql'),
});

/** Per entity: table, partitions, partition window, refresh schedules (with the command when run externally). */
export const entities = analytics.outputs;
export const salesTable = analytics.entities['SalesTransaction']?.table;

/**
 * The repository's own Pulumi program, as a function of stack config: one
 * SpecqlStack over specs/. Stack config keys (per environment, e.g.
 * Pulumi.dev.yaml / Pulumi.prod.yaml):
 *
 *   databaseUrl       (secret, required) PostgreSQL URL
 *   partitionPremake  partitions kept ready ahead of today (overrides specs)
 *   retention         partitions kept, in intervals (overrides specs)
 *   refreshOverrides  { <view>: "<interval>" }
 *   allowHazards      [deletes_data, rewrites_table]
 *   deletionPolicy    retain (default) | drop
 *   specsDir          default: specs/ next to Pulumi.yaml
 *   today             pin the partition window's "today" (YYYY-MM-DD)
 *   lockWait          longest wait for another apply's lock (90s, 2m; default 60s)
 *   postgresql        true | { schemas, extensions, roles, executeGrants }
 */
import { RANGES, TEXT_RANGES } from '../spec/limits';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import type { EntityStackOutputs } from './entity';
import { projectRoot } from './discover';
import { SpecqlStack, type PostgresqlObjectsArgs } from './stack';
import type { DeletionPolicy } from './types';

export interface DeployResult {
  readonly stack: SpecqlStack;
  readonly entities: pulumi.Output<Record<string, EntityStackOutputs>>;
}

/** `root`: where Pulumi.yaml is (default: found as SpecqlStack finds it; the CLI's cwd is the directory of `main`). */
export function deployFromConfig(root: string = projectRoot(pulumi.runtime.getRootDirectory())): DeployResult {
  const config = new pulumi.Config();
  const specsDir = path.resolve(root, config.get('specsDir') ?? 'specs');
  const relative = path.relative(root, specsDir) || '.';
  const stack = new SpecqlStack('specql', {
    specs: relative.startsWith('..') ? specsDir : relative,
    root,
    databaseUrl: config.requireSecret('databaseUrl'),
    // The spec's own ranges (src/spec/limits.ts); Pulumi names the key and the range when one is out.
    premake: config.getNumber('partitionPremake', { min: RANGES.premake.min, max: RANGES.premake.max }),
    retention: config.getNumber('retention', { min: TEXT_RANGES.retention_partitions.min, max: TEXT_RANGES.retention_partitions.max }),
    refreshOverrides: config.getObject<Record<string, string>>('refreshOverrides'),
    allowHazards: config.getObject<string[]>('allowHazards'),
    deletionPolicy: config.get('deletionPolicy') as DeletionPolicy | undefined,
    today: config.get('today'),
    lockWait: config.get('lockWait'),
    postgresql: config.getObject<PostgresqlObjectsArgs | boolean>('postgresql'),
  });
  return { stack, entities: stack.outputs };
}

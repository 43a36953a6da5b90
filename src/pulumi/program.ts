/**
 * Entry point named by Pulumi.yaml (`main: dist/pulumi/program.js`): deploys
 * specs/ with this stack's config. Stack outputs: `entities`, per entity the
 * generated object names, partition window and refresh schedules.
 */
import { deployFromConfig } from './deploy';

export const entities = deployFromConfig().entities;

/** Public Pulumi API of pulumi-specql. */
export { Entity, PROVIDER_VERSION, type EntityArgs, type EntitySettingsArgs, type EntityStackOutputs } from './entity';
export { SpecqlStack, type SpecqlStackArgs, type PostgresqlObjectsArgs } from './stack';
export { deployFromConfig } from './deploy';
export type { DeletionPolicy, EntitySettings } from './types';

/** The stack's checkpoint between runs: one JSON file, secrets encrypted. */
import * as fs from 'node:fs';
import { SecretsCrypter } from './secrets';

export interface ResourceState {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly id: string;
  readonly parent: string;
  readonly dependencies: readonly string[];
  readonly deleteBeforeReplace: boolean;
  /** Inputs and outputs in wire form: secret values wrapped with the secret signature. */
  readonly inputs: Record<string, unknown>;
  readonly outputs: Record<string, unknown>;
  /** Not driven through a provider process (component resources, non-dynamic providers). */
  readonly simulated: boolean;
}

export interface StackState {
  readonly project: string;
  readonly stack: string;
  /** In dependency order: what a resource depends on comes before it. */
  readonly resources: readonly ResourceState[];
  readonly outputs: Record<string, unknown>;
}

export function readState(file: string, crypter: SecretsCrypter, project: string, stack: string): StackState {
  if (!fs.existsSync(file)) return { project, stack, resources: [], outputs: {} };
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  return crypter.decryptDeep(raw.checkpoint) as StackState;
}

export function writeState(file: string, crypter: SecretsCrypter, state: StackState): void {
  const body = { version: 3, secretsProviders: { type: 'passphrase-simulated' }, checkpoint: crypter.encryptDeep(state) };
  fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
}

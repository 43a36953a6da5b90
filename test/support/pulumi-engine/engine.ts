/**
 * A faithful stand-in for the Pulumi engine, for tests on machines without the
 * CLI. The program runs in process under the SDK's mock mode, but with our own
 * resource monitor: every dynamic resource registration is driven through a
 * fresh, real `@pulumi/pulumi/cmd/dynamic-provider` process over gRPC, in the
 * engine's order — Configure, Check (olds = old inputs), Diff (olds = old
 * outputs, news = checked inputs), then Create / Update / Replace — with state
 * kept in a JSON file between runs. Modes: preview (no Create/Update/Delete),
 * up, refresh (Read per resource, no program) and destroy (Delete in reverse
 * dependency order, no program).
 *
 * Deliberate simplifications (not needed by our provider, documented for
 * readers): one provider process per resource step rather than one per
 * deployment; non-dynamic custom resources (e.g. @pulumi/postgresql) are
 * recorded with their inputs as outputs and never driven (`simulated: true`);
 * no ignoreChanges / protect / aliases / imports.
 */
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as pulumi from '@pulumi/pulumi';
import { ProviderProcess, type Props } from './provider-process';
import { rewrapSecrets, SecretsCrypter, stripSecrets, UNKNOWN } from './secrets';
import { readState, writeState, type ResourceState, type StackState } from './state';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require('@pulumi/pulumi/runtime/settings');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeState = require('@pulumi/pulumi/runtime/state');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require('google-protobuf/google/protobuf/struct_pb');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const resproto = require('@pulumi/pulumi/proto/resource_pb');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const provproto = require('@pulumi/pulumi/proto/provider_pb');

export type Mode = 'preview' | 'up' | 'refresh' | 'destroy';

export type Op = 'create' | 'update' | 'replace' | 'same' | 'delete' | 'refresh' | 'gone' | 'check-failed' | 'failed';

export interface ResourceEvent {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly op: Op;
  /** Checked inputs (secrets stripped): what `pulumi preview --diff` shows. */
  readonly inputs: Props;
  /** Old inputs, when the resource existed before. */
  readonly oldInputs: Props | null;
  /** Outputs after the step (preview: unknown output-only properties are absent). */
  readonly outputs: Props;
  /** Top-level input keys whose values differ from the old inputs (refresh: output keys that changed). */
  readonly changedKeys: readonly string[];
  readonly diff: { readonly changes: number; readonly replaces: readonly string[]; readonly deleteBeforeReplace: boolean } | null;
  readonly checkFailures: readonly { property: string; reason: string }[];
  readonly error: string | null;
  readonly simulated: boolean;
  /** What the provider process printed (console.log / console.error of the handlers). */
  readonly providerLog: string;
}

export interface RunResult {
  readonly mode: Mode;
  readonly events: readonly ResourceEvent[];
  /** Stack outputs, secrets stripped; unknown values during preview are the UNKNOWN string. */
  readonly outputs: Props;
  readonly errors: readonly string[];
  /** Every provider RPC, in order: `Check <urn>`, `Create <urn>`… */
  readonly calls: readonly string[];
  readonly state: StackState;
}

export type ConfigValue = string | { readonly secret: string };

export interface RunStackOptions {
  /** The Pulumi program: creates resources, returns the stack outputs. Not used by refresh/destroy. */
  readonly program?: () => unknown;
  readonly stateFile: string;
  readonly mode: Mode;
  readonly project?: string;
  readonly stack?: string;
  /** Stack config: keys without a namespace belong to the project. */
  readonly config?: Readonly<Record<string, ConfigValue>>;
  /** Where the provider process runs (its `require()` resolves from here). Default: the repository root. */
  readonly projectRoot?: string;
  /** Load TypeScript sources in the provider process (default true: tests run on src/). */
  readonly typescript?: boolean;
  readonly passphrase?: string;
  /** Extra environment for the provider process. */
  readonly providerEnv?: Record<string, string>;
}

const REPO_ROOT = path.resolve(__dirname, '../../..');
const DYNAMIC_TYPE = /^pulumi-nodejs:dynamic(\/[^:]+)?:/;
const STACK_TYPE = 'pulumi:pulumi:Stack';

export function isDynamicType(type: string): boolean {
  return DYNAMIC_TYPE.test(type);
}

class Deployment {
  readonly events: ResourceEvent[] = [];
  readonly errors: string[] = [];
  readonly calls: string[] = [];
  readonly newResources = new Map<string, ResourceState>();
  /** Every URN the program registered (also in preview, where no new state is written). */
  readonly registeredUrns = new Set<string>();
  readonly pendingDeletes: ResourceState[] = [];
  stackOutputs: Props = {};
  stackUrn = '';
  /** Set when a step fails: like the engine, stop answering the program and let in-flight steps finish. */
  aborted = false;
  readonly inflight = new Set<Promise<unknown>>();
  private abortDeferred!: () => void;
  readonly abortedPromise = new Promise<void>((resolve) => (this.abortDeferred = resolve));

  abort(): void {
    this.aborted = true;
    this.abortDeferred();
  }
  private readonly oldByUrn: Map<string, ResourceState>;
  private readonly configArgs: Props;

  constructor(
    readonly options: Required<Pick<RunStackOptions, 'mode' | 'project' | 'stack' | 'projectRoot' | 'typescript'>> & RunStackOptions,
    readonly old: StackState,
  ) {
    this.oldByUrn = new Map(old.resources.map((r) => [r.urn, r]));
    this.configArgs = {};
    for (const [key, value] of Object.entries(options.config ?? {})) {
      this.configArgs[qualify(key, options.project)] = typeof value === 'string' ? value : value.secret;
    }
  }

  get preview(): boolean {
    return this.options.mode === 'preview';
  }

  urnOf(parent: string, type: string, name: string): string {
    let qualified = type;
    if (parent && parent !== this.stackUrn) {
      const parentType = parent.split('::')[2]!;
      qualified = `${parentType}$${type}`;
    }
    return `urn:pulumi:${this.options.stack}::${this.options.project}::${qualified}::${name}`;
  }

  async provider<T>(fn: (p: ProviderProcess) => Promise<T>): Promise<{ value: T; log: string }> {
    const proc = await ProviderProcess.start({
      projectRoot: this.options.projectRoot,
      project: this.options.project,
      stack: this.options.stack,
      preload: this.options.typescript ? path.join(__dirname, 'ts-register.js') : undefined,
      env: this.options.providerEnv,
    });
    try {
      await proc.configure(this.configArgs);
      return { value: await fn(proc), log: proc.log };
    } catch (error) {
      const log = proc.log;
      (error as Error).message += log ? `\n--- provider log ---\n${log}` : '';
      throw error;
    } finally {
      await proc.stop();
    }
  }

  record(event: Partial<ResourceEvent> & Pick<ResourceEvent, 'urn' | 'type' | 'name' | 'op'>): void {
    this.events.push({
      inputs: {},
      oldInputs: null,
      outputs: {},
      changedKeys: [],
      diff: null,
      checkFailures: [],
      error: null,
      simulated: false,
      providerLog: '',
      ...event,
    });
  }

  /** One registration, as the engine's step generator + executor handle it. Returns the wire outputs. */
  async register(reg: Registration): Promise<{ id: string; outputs: Props }> {
    const urn = this.urnOf(reg.parent, reg.type, reg.name);
    if (reg.type === STACK_TYPE) this.stackUrn = urn;
    this.registeredUrns.add(urn);
    const old = this.oldByUrn.get(urn) ?? null;
    const base = { urn, type: reg.type, name: reg.name, parent: reg.parent, dependencies: reg.dependencies, custom: reg.custom };

    if (!reg.custom || !isDynamicType(reg.type)) {
      // Component resources and non-dynamic providers: recorded, never driven.
      const [plain] = stripSecrets(reg.inputs);
      const oldPlain = old ? stripSecrets(old.inputs)[0] : null;
      const op: Op = !old ? 'create' : isDeepStrictEqual(oldPlain, plain) ? 'same' : 'update';
      const id = reg.custom ? old?.id || (this.preview ? '' : reg.name) : '';
      const outputs = reg.custom ? reg.inputs : {};
      this.newResources.set(urn, { ...base, id, deleteBeforeReplace: reg.deleteBeforeReplace, inputs: reg.inputs, outputs, simulated: true });
      if (reg.type !== STACK_TYPE) {
        this.record({ urn, type: reg.type, name: reg.name, op, inputs: plain, oldInputs: oldPlain, outputs: stripSecrets(outputs)[0], changedKeys: changedKeys(oldPlain, plain), simulated: true });
      }
      return { id, outputs };
    }

    const [news, secretKeys] = stripSecrets(reg.inputs);
    const oldInputs = old ? stripSecrets(old.inputs)[0] : null;
    const oldOutputs = old ? stripSecrets(old.outputs)[0] : null;
    let checked: Props = news;
    let diff: ResourceEvent['diff'] = null;
    let op: Op = 'create';
    try {
      const { value, log } = await this.provider(async (p) => {
        this.calls.push(`Check ${urn}`);
        const check = await p.check(urn, oldInputs ?? {}, news);
        if (check.failures.length > 0) return { failures: check.failures };
        checked = check.inputs;
        if (old) {
          this.calls.push(`Diff ${urn}`);
          const d = await p.diff(urn, old.id, oldOutputs!, checked, oldInputs!);
          const dbr = d.deleteBeforeReplace || reg.deleteBeforeReplace;
          diff = { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: dbr };
          const changed = d.changes === 2 || (d.changes === 0 && !isDeepStrictEqual(oldInputs, checked));
          op = !changed ? 'same' : d.replaces.length > 0 ? 'replace' : 'update';
        }
        if (this.preview) {
          return { outputs: op === 'same' ? oldOutputs! : { ...checked }, id: old?.id ?? '' };
        }
        if (op === 'create') {
          this.calls.push(`Create ${urn}`);
          return await p.create(urn, checked);
        }
        if (op === 'update') {
          this.calls.push(`Update ${urn}`);
          return { id: old!.id, outputs: await p.update(urn, old!.id, oldOutputs!, checked, oldInputs!) };
        }
        if (op === 'replace') {
          if (diff!.deleteBeforeReplace) {
            this.calls.push(`Delete ${urn}`);
            await p.delete(urn, old!.id, oldOutputs!, oldInputs!);
          } else {
            this.pendingDeletes.push(old!);
          }
          this.calls.push(`Create ${urn}`);
          return await p.create(urn, checked);
        }
        return { id: old!.id, outputs: oldOutputs! };
      });
      if ('failures' in value) {
        const failures = value.failures!;
        this.record({ urn, type: reg.type, name: reg.name, op: 'check-failed', inputs: news, oldInputs, checkFailures: failures, providerLog: log });
        throw new Error(`${urn}: check failed:\n${failures.map((f) => `  ${f.property}: ${f.reason}`).join('\n')}`);
      }
      const outputsPlain = value.outputs as Props;
      const wireOutputs = rewrapSecrets(outputsPlain, secretKeys);
      if (!this.preview) {
        this.newResources.set(urn, {
          ...base,
          id: value.id as string,
          deleteBeforeReplace: reg.deleteBeforeReplace,
          inputs: rewrapSecrets(checked, secretKeys),
          outputs: wireOutputs,
          simulated: false,
        });
      }
      this.record({ urn, type: reg.type, name: reg.name, op, inputs: checked, oldInputs, outputs: outputsPlain, changedKeys: changedKeys(oldInputs, checked), diff, providerLog: log });
      return { id: value.id as string, outputs: wireOutputs };
    } catch (error) {
      const message = (error as Error).message;
      if (!this.events.some((e) => e.urn === urn)) {
        this.record({ urn, type: reg.type, name: reg.name, op: 'failed', inputs: checked, oldInputs, diff, error: message });
      }
      this.errors.push(message);
      throw error;
    }
  }

  async deleteResource(resource: ResourceState): Promise<void> {
    const [oldInputs] = stripSecrets(resource.inputs);
    const [oldOutputs] = stripSecrets(resource.outputs);
    let log = '';
    if (!this.preview && !resource.simulated && resource.custom && isDynamicType(resource.type)) {
      ({ log } = await this.provider(async (p) => {
        this.calls.push(`Delete ${resource.urn}`);
        await p.delete(resource.urn, resource.id, oldOutputs, oldInputs);
      }));
    }
    if (resource.type !== STACK_TYPE) {
      this.record({ urn: resource.urn, type: resource.type, name: resource.name, op: 'delete', inputs: oldInputs, oldInputs, outputs: oldOutputs, simulated: resource.simulated, providerLog: log });
    }
  }

  async refreshResource(resource: ResourceState): Promise<ResourceState | null> {
    if (resource.simulated || !resource.custom || !isDynamicType(resource.type)) return resource;
    const [inputs, inputSecrets] = stripSecrets(resource.inputs);
    const [outputs] = stripSecrets(resource.outputs);
    const { value, log } = await this.provider(async (p) => {
      this.calls.push(`Read ${resource.urn}`);
      return p.read(resource.urn, resource.id, outputs, inputs);
    });
    const base = { urn: resource.urn, type: resource.type, name: resource.name, inputs, oldInputs: inputs, providerLog: log };
    if (!value.id) {
      this.record({ ...base, op: 'gone', outputs });
      return null;
    }
    this.record({ ...base, op: 'refresh', outputs: value.outputs, changedKeys: changedKeys(outputs, value.outputs) });
    const newInputs = value.inputs ? rewrapSecrets(value.inputs, inputSecrets) : resource.inputs;
    return { ...resource, id: value.id, inputs: newInputs, outputs: rewrapSecrets(value.outputs, inputSecrets) };
  }
}

interface Registration {
  readonly type: string;
  readonly name: string;
  readonly parent: string;
  readonly custom: boolean;
  readonly inputs: Props;
  readonly dependencies: string[];
  readonly deleteBeforeReplace: boolean;
}

/** The ResourceMonitor the SDK talks to (same surface as the SDK's MockMonitor). */
class SimulatedMonitor {
  constructor(private readonly deployment: Deployment) {}

  registerResource(req: any, callback: (err: unknown, resp?: unknown) => void): void {
    const reg: Registration = {
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent(),
      custom: req.getCustom(),
      inputs: req.getObject()?.toJavaScript() ?? {},
      dependencies: req.getDependenciesList(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
    };
    if (this.deployment.aborted) return; // the engine stopped: the program never hears back
    const step = this.deployment.register(reg);
    this.deployment.inflight.add(step);
    step.finally(() => this.deployment.inflight.delete(step)).catch(() => undefined);
    step.then(
      ({ id, outputs }) => {
        const resp = new resproto.RegisterResourceResponse();
        resp.setUrn(this.deployment.urnOf(reg.parent, reg.type, reg.name));
        resp.setId(id || (this.deployment.preview && reg.custom ? UNKNOWN : id));
        resp.setObject(Struct.fromJavaScript(outputs));
        callback(null, resp);
      },
      () => this.deployment.abort(),
    );
  }

  registerResourceOutputs(req: any, callback: (err: unknown, resp?: unknown) => void): void {
    if (req.getUrn() === this.deployment.stackUrn) this.deployment.stackOutputs = req.getOutputs()?.toJavaScript() ?? {};
    callback(null, {});
  }

  readResource(_req: any, callback: (err: unknown) => void): void {
    callback(new Error('the simulator does not support reading existing resources (get)'));
  }

  invoke(req: any, callback: (err: unknown, resp?: unknown) => void): void {
    if (req.getTok() === 'pulumi:pulumi:getResource') {
      callback(new Error('getResource is not simulated'));
      return;
    }
    const resp = new provproto.InvokeResponse();
    resp.setReturn(Struct.fromJavaScript({}));
    callback(null, resp);
  }

  supportsFeature(req: any, callback: (err: unknown, resp?: unknown) => void): void {
    const id = req.getId();
    callback(null, { getHassupport: () => id !== 'outputValues' && id !== 'transforms' });
  }

  registerPackage(_req: any, callback: (err: unknown, resp?: unknown) => void): void {
    const resp = new resproto.RegisterPackageResponse();
    resp.setRef('simulated-package');
    callback(null, resp);
  }
}

function qualify(key: string, project: string): string {
  return key.includes(':') ? key : `${project}:${key}`;
}

function changedKeys(olds: Props | null, news: Props): string[] {
  if (!olds) return Object.keys(news).filter((k) => k !== '__provider').sort();
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((k) => k !== '__provider' && !isDeepStrictEqual(olds[k], news[k])).sort();
}

/** Reverse dependency order: dependents first. */
function deletionOrder(resources: readonly ResourceState[]): ResourceState[] {
  return [...resources].reverse();
}

/**
 * Runs one `pulumi preview | up | refresh | destroy` of a program against a
 * state file. Never throws for deployment errors: they are in `errors` (and
 * per resource in `events`), as the CLI would print them.
 */
export async function runStack(options: RunStackOptions): Promise<RunResult> {
  const opts = {
    project: 'pulumi-specql',
    stack: 'test',
    projectRoot: REPO_ROOT,
    typescript: true,
    ...options,
  };
  const crypter = new SecretsCrypter(options.passphrase ?? 'simulated-passphrase');
  const old = readState(opts.stateFile, crypter, opts.project, opts.stack);
  const deployment = new Deployment(opts, old);

  let resources: ResourceState[];
  if (opts.mode === 'refresh') {
    resources = [];
    for (const resource of old.resources) {
      try {
        const refreshed = await deployment.refreshResource(resource);
        if (refreshed) resources.push(refreshed);
      } catch (error) {
        deployment.errors.push((error as Error).message);
        resources.push(resource);
      }
    }
    deployment.stackOutputs = old.outputs;
  } else if (opts.mode === 'destroy') {
    resources = [...old.resources];
    for (const resource of deletionOrder(old.resources)) {
      try {
        await deployment.deleteResource(resource);
        resources = resources.filter((r) => r.urn !== resource.urn);
      } catch (error) {
        deployment.errors.push((error as Error).message);
        break;
      }
    }
    deployment.stackOutputs = {};
  } else {
    if (!opts.program) throw new Error(`runStack(${opts.mode}) needs a program`);
    await runProgram(deployment, opts.program);
    const registered = deployment.newResources;
    const failed = deployment.errors.length > 0;
    if (!failed) {
      const gone = old.resources.filter((r) => !deployment.registeredUrns.has(r.urn));
      for (const resource of [...deletionOrder(gone), ...deployment.pendingDeletes]) {
        try {
          await deployment.deleteResource(resource);
        } catch (error) {
          deployment.errors.push((error as Error).message);
        }
      }
    }
    if (opts.mode === 'preview') {
      resources = [...old.resources];
    } else if (failed) {
      // A failed update keeps what was done and the old state of everything else.
      resources = old.resources.map((r) => registered.get(r.urn) ?? r);
      for (const r of registered.values()) if (!deployment.events.some((e) => e.urn === r.urn && e.op === 'failed') && !old.resources.some((o) => o.urn === r.urn)) resources.push(r);
    } else {
      resources = [...registered.values()];
    }
  }

  const state: StackState = {
    project: opts.project,
    stack: opts.stack,
    resources,
    outputs: opts.mode === 'preview' ? old.outputs : deployment.stackOutputs,
  };
  if (opts.mode !== 'preview') writeState(opts.stateFile, crypter, state);
  return {
    mode: opts.mode,
    events: deployment.events,
    outputs: stripSecrets(deployment.stackOutputs)[0],
    errors: deployment.errors,
    calls: deployment.calls,
    state,
  };
}

async function runProgram(deployment: Deployment, program: () => unknown): Promise<void> {
  const { project, stack, config } = deployment.options;
  const preview = deployment.preview;
  // What pulumi.runtime.setMocks does, with our monitor instead of MockMonitor.
  settings.setMockOptions(new SimulatedMonitor(deployment), project, stack, preview);
  const store = runtimeState.getStore();
  store.supportsSecrets = true;
  store.supportsResourceReferences = true;
  store.supportsOutputValues = false;
  store.supportsDeletedWith = true;
  store.supportsAliasSpecs = true;
  const all: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(config ?? {})) {
    const full = qualify(key, project);
    all[full] = typeof value === 'string' ? value : value.secret;
    if (typeof value !== 'string') secretKeys.push(full);
  }
  pulumi.runtime.setAllConfig(all, secretKeys);

  // A failed step aborts the deployment: the engine stops answering the program
  // (its pending registrations never complete), and waits for steps in flight.
  const programDone = pulumi.runtime.runInPulumiStack(async () => program()).then(
    () => settings.waitForRPCs(),
  );
  try {
    await Promise.race([programDone, deployment.abortedPromise]);
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (!deployment.errors.includes(message)) deployment.errors.push(message);
  }
  programDone.catch(() => undefined);
  while (deployment.inflight.size > 0) await Promise.allSettled([...deployment.inflight]);
}

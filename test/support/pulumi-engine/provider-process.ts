/**
 * One real `@pulumi/pulumi/cmd/dynamic-provider` process, spoken to over gRPC
 * exactly as the Pulumi engine does (ResourceProvider service, protobuf
 * Structs). Started per operation, like the CLI starts its plugins, and
 * always stopped by its own pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const provrpc = require('@pulumi/pulumi/proto/provider_grpc_pb');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const provpb = require('@pulumi/pulumi/proto/provider_pb');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require('google-protobuf/google/protobuf/struct_pb');

export type Props = Record<string, unknown>;

export interface CheckResult {
  readonly inputs: Props;
  readonly failures: { property: string; reason: string }[];
}
export interface DiffResult {
  /** 0 unknown, 1 none, 2 some (DiffResponse.DiffChanges). */
  readonly changes: 0 | 1 | 2;
  readonly replaces: string[];
  readonly deleteBeforeReplace: boolean;
}

export interface ProviderProcessOptions {
  readonly projectRoot: string;
  readonly project: string;
  readonly stack: string;
  /** Preload that lets the provider process `require()` TypeScript sources (tests run on src/). */
  readonly preload?: string;
  readonly env?: Record<string, string>;
}

const DYNAMIC_PROVIDER = 'node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js';

export class ProviderProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: any,
    private readonly stderr: () => string,
  ) {}

  static async start(options: ProviderProcessOptions): Promise<ProviderProcess> {
    const args = [...(options.preload ? ['-r', options.preload] : []), path.join(options.projectRoot, DYNAMIC_PROVIDER), '127.0.0.1:1'];
    const child = spawn(process.execPath, args, {
      cwd: options.projectRoot,
      env: {
        ...process.env,
        ...options.env,
        PULUMI_NODEJS_PROJECT: options.project,
        PULUMI_NODEJS_STACK: options.stack,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const onData = (chunk: Buffer): void => {
        out += chunk.toString();
        const match = /^(\d+)\s*$/m.exec(out);
        if (match) {
          child.stdout!.off('data', onData);
          resolve(Number(match[1]));
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`dynamic provider exited (${code}) before printing its port:\n${err}`)));
      child.once('error', reject);
    });
    // After the port, stdout carries the handlers' console.log: keep it with stderr.
    child.stdout!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new ProviderProcess(child, client, () => err);
  }

  /** What the provider printed on stderr (its console.log/error goes there or to stdout). */
  get log(): string {
    return this.stderr();
  }

  private call<T>(method: string, request: unknown, map: (response: any) => T): Promise<T> {
    return new Promise((resolve, reject) => {
      this.client[method](request, (error: grpc.ServiceError | null, response: any) => {
        if (error) reject(new Error(`${method}: ${error.details || error.message}`));
        else resolve(map(response));
      });
    });
  }

  configure(args: Props): Promise<void> {
    const req = new provpb.ConfigureRequest();
    req.setArgs(Struct.fromJavaScript(args));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    req.setSendsOldInputs(true);
    req.setSendsOldInputsToDelete(true);
    return this.call('configure', req, () => undefined);
  }

  check(urn: string, olds: Props, news: Props): Promise<CheckResult> {
    const req = new provpb.CheckRequest();
    req.setUrn(urn);
    req.setOlds(Struct.fromJavaScript(olds));
    req.setNews(Struct.fromJavaScript(news));
    return this.call('check', req, (resp) => ({
      inputs: resp.getInputs()?.toJavaScript() ?? {},
      failures: resp.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    }));
  }

  diff(urn: string, id: string, olds: Props, news: Props, oldInputs: Props): Promise<DiffResult> {
    const req = new provpb.DiffRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(Struct.fromJavaScript(olds));
    req.setNews(Struct.fromJavaScript(news));
    req.setOldInputs(Struct.fromJavaScript(oldInputs));
    return this.call('diff', req, (resp) => ({
      changes: resp.getChanges(),
      replaces: resp.getReplacesList(),
      deleteBeforeReplace: resp.getDeletebeforereplace(),
    }));
  }

  create(urn: string, properties: Props): Promise<{ id: string; outputs: Props }> {
    const req = new provpb.CreateRequest();
    req.setUrn(urn);
    req.setProperties(Struct.fromJavaScript(properties));
    req.setPreview(false);
    return this.call('create', req, (resp) => ({ id: resp.getId(), outputs: resp.getProperties()?.toJavaScript() ?? {} }));
  }

  update(urn: string, id: string, olds: Props, news: Props, oldInputs: Props): Promise<Props> {
    const req = new provpb.UpdateRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(Struct.fromJavaScript(olds));
    req.setNews(Struct.fromJavaScript(news));
    req.setOldInputs(Struct.fromJavaScript(oldInputs));
    req.setPreview(false);
    return this.call('update', req, (resp) => resp.getProperties()?.toJavaScript() ?? {});
  }

  read(urn: string, id: string, properties: Props, inputs: Props): Promise<{ id: string; outputs: Props; inputs: Props | null }> {
    const req = new provpb.ReadRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(Struct.fromJavaScript(properties));
    req.setInputs(Struct.fromJavaScript(inputs));
    return this.call('read', req, (resp) => ({
      id: resp.getId(),
      outputs: resp.getProperties()?.toJavaScript() ?? {},
      inputs: resp.getInputs()?.toJavaScript() ?? null,
    }));
  }

  delete(urn: string, id: string, properties: Props, oldInputs: Props): Promise<void> {
    const req = new provpb.DeleteRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(Struct.fromJavaScript(properties));
    req.setOldInputs(Struct.fromJavaScript(oldInputs));
    return this.call('delete', req, () => undefined);
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}

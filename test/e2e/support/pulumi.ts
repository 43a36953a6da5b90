/**
 * Drives the real `pulumi` CLI (PULUMI_CLI_BIN, set by the e2e global setup)
 * on a throw-away copy of this repository's Pulumi project: the repo's own
 * Pulumi.yaml, its compiled program (dist/, linked) and node_modules (linked),
 * and a private copy of specs/ the tests may edit. State lives in a file
 * backend inside the same temporary directory; nothing leaves it.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { stageRepoProject } from '../../../src/bench/pulumi-project';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const ENTITY_TYPE = 'pulumi-nodejs:dynamic/specql:Entity';
/** The passphrase of the test stacks' secrets provider (any value works; empty is allowed too). */
const PASSPHRASE = 'specql-e2e-passphrase';

export interface CliResult {
  readonly args: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export function cliBin(): string {
  const bin = process.env.PULUMI_CLI_BIN;
  if (!bin) throw new Error('PULUMI_CLI_BIN is not set: run the e2e tests through `npm run test:e2e`.');
  return bin;
}

export interface ProjectOptions {
  /** Directory whose files become the project (default: this repository's Pulumi project). */
  readonly from?: 'repo' | string;
  /** Copy these spec files (default: the repository's specs/). */
  readonly specsDir?: string;
}

export class PulumiProject {
  readonly root: string;
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;

  private constructor(root: string, dir: string) {
    this.root = root;
    this.dir = dir;
    const home = path.join(root, 'pulumi-home');
    const state = path.join(root, 'state');
    fs.mkdirSync(home, { recursive: true });
    fs.mkdirSync(state, { recursive: true });
    this.env = {
      ...process.env,
      PATH: `${cliBin()}${path.delimiter}${process.env.PATH ?? ''}`,
      PULUMI_HOME: home,
      PULUMI_BACKEND_URL: `file://${state}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
      // Keep the output plain for the assertions (and the captured transcript).
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      // Never read a developer's SPECQL_DATABASE_URL: the stack config is the only source.
      SPECQL_DATABASE_URL: '',
    };
  }

  /** A copy of the repository's own project (Pulumi.yaml, package.json, specs/; dist/ and node_modules/ linked). */
  static ofRepo(prefix = 'e2e'): PulumiProject {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `specql-${prefix}-`));
    const dir = path.join(root, 'project');
    stageRepoProject(REPO, dir);
    return new PulumiProject(root, dir);
  }

  /** A project in an existing directory (the consuming-repository test builds its own). */
  static inDir(root: string, dir: string): PulumiProject {
    return new PulumiProject(root, dir);
  }

  /** Runs `pulumi <args>` in the project; resolves with the exit code (never rejects on a non-zero one). */
  run(args: readonly string[], options: { stack?: string; input?: string } = {}): Promise<CliResult> {
    const full = [...args, '--non-interactive', '--color', 'never', ...(options.stack ? ['--stack', options.stack] : [])];
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(path.join(cliBin(), 'pulumi'), full, { cwd: this.dir, env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ args: full, code: code ?? -1, stdout, stderr, ms: Date.now() - started }));
      child.stdin.end(options.input ?? '');
    });
  }

  /** Like run, but a non-zero exit fails with the CLI's own output. */
  async ok(args: readonly string[], options: { stack?: string; input?: string } = {}): Promise<CliResult> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new Error(transcript(result));
    return result;
  }

  /**
   * Creates a stack with settings from a Pulumi.<stack>.yaml template (the
   * examples/ files): every key but the secret URL is merged into the file
   * `stack init` wrote, then the URL is set with `config set --secret`.
   */
  async initStack(stack: string, databaseUrl: string, settingsFile?: string, drop: readonly string[] = []): Promise<void> {
    await this.ok(['stack', 'init', stack]);
    if (settingsFile) {
      const file = path.join(this.dir, `Pulumi.${stack}.yaml`);
      const current = (fs.existsSync(file) ? parse(fs.readFileSync(file, 'utf8')) : null) ?? {};
      const template = parse(fs.readFileSync(settingsFile, 'utf8')) ?? {};
      const config: Record<string, unknown> = { ...(current.config ?? {}) };
      for (const [key, value] of Object.entries(template.config ?? {})) {
        const name = key.split(':').pop() ?? key;
        if (name === 'databaseUrl' || drop.includes(name)) continue;
        config[key] = value;
      }
      fs.writeFileSync(file, stringify({ ...current, config }));
    }
    // The URL travels on stdin, not argv: it holds a password.
    await this.ok(['config', 'set', '--secret', 'databaseUrl'], { stack, input: databaseUrl });
  }

  stackFile(stack: string): string {
    return fs.readFileSync(path.join(this.dir, `Pulumi.${stack}.yaml`), 'utf8');
  }

  writeSpec(name: string, text: string): void {
    fs.writeFileSync(path.join(this.dir, 'specs', name), text);
  }

  readSpec(name: string): string {
    return fs.readFileSync(path.join(this.dir, 'specs', name), 'utf8');
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export function transcript(result: CliResult): string {
  return `pulumi ${result.args.join(' ')} exited ${result.code} after ${result.ms} ms\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/**
 * What the real `pulumi` CLI costs on top of the engine: on specs/ and one
 * database, `pulumi preview` against `specql plan`, and a no-op `pulumi up`
 * against a no-op `specql apply`, each a separate process as a person runs it,
 * median of three, reported as ratios. The CLI comes from PULUMI_CLI_BIN or
 * .pulumi-cli/bin (scripts/pulumi-cli.sh); without it the suite says so and
 * measures nothing.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createScratchDatabase } from '../../db/scratch';
import { stageRepoProject } from '../pulumi-project';
import type { BenchResult, BenchSuite } from '../suite';

const ROOT = path.join(__dirname, '..', '..', '..');
const TODAY = '2024-03-15';
const RUNS = 3;

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, input?: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { cwd, env, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(cmd)} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(performance.now() - t0);
    });
    child.stdin?.end(input ?? '');
  });
}

async function median(fn: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await fn());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function cliBin(): string | null {
  const bin = process.env.PULUMI_CLI_BIN ?? path.join(ROOT, '.pulumi-cli', 'bin');
  return fs.existsSync(path.join(bin, 'pulumi')) ? bin : null;
}

export const suite: BenchSuite = {
  name: 'pulumi: the real CLI against specql on specs/',
  async run(ctx) {
    const bin = cliBin();
    if (!bin) {
      return [{ name: 'pulumi preview / specql plan', value: 'not measured', note: 'no pulumi CLI: run scripts/pulumi-cli.sh (or set PULUMI_CLI_BIN) first' }];
    }
    const results: BenchResult[] = [];
    const db = await createScratchDatabase(ctx.serverUrl, 'bench_pulumi');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'specql-bench-pulumi-'));
    try {
      // The repository's own project, as the e2e suite uses it.
      const dir = path.join(tmp, 'project');
      stageRepoProject(ROOT, dir);
      fs.mkdirSync(path.join(tmp, 'state'));
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
        PULUMI_HOME: path.join(tmp, 'home'),
        PULUMI_BACKEND_URL: `file://${path.join(tmp, 'state')}`,
        PULUMI_CONFIG_PASSPHRASE: 'bench',
        PULUMI_SKIP_UPDATE_CHECK: 'true',
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
      };
      const pulumi = (args: string[], input?: string) => run(path.join(bin, 'pulumi'), [...args, '--non-interactive', '--stack', 'bench'], dir, env, input);
      const specql = (args: string[]) => run(process.execPath, [path.join(ROOT, 'bin', 'specql.js'), ...args, 'specs', '--database-url', db.url, '--today', TODAY], dir, env);

      await run(path.join(bin, 'pulumi'), ['stack', 'init', 'bench', '--non-interactive'], dir, env);
      await pulumi(['config', 'set', '--secret', 'databaseUrl'], db.url);
      await pulumi(['config', 'set', 'today', TODAY]);
      const firstUp = await pulumi(['up', '--yes', '--skip-preview']);
      ctx.log(`first pulumi up (creates specs/): ${firstUp.toFixed(0)} ms`);

      const preview = await median(() => pulumi(['preview', '--expect-no-changes']));
      const plan = await median(() => specql(['plan']));
      const up = await median(() => pulumi(['up', '--yes', '--skip-preview', '--expect-no-changes']));
      const apply = await median(() => specql(['apply']));
      results.push({ name: 'pulumi preview (no changes)', value: `${preview.toFixed(0)} ms` });
      results.push({ name: 'specql plan (no changes)', value: `${plan.toFixed(0)} ms` });
      results.push({ name: 'pulumi preview / specql plan', value: `${(preview / plan).toFixed(1)}×`, note: 'both as processes on the same database; the CLI adds its engine, the language host and one provider process' });
      results.push({ name: 'no-op pulumi up', value: `${up.toFixed(0)} ms` });
      results.push({ name: 'no-op specql apply', value: `${apply.toFixed(0)} ms` });
      results.push({ name: 'no-op pulumi up / no-op specql apply', value: `${(up / apply).toFixed(1)}×` });
    } finally {
      await db.drop();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    return results;
  },
};

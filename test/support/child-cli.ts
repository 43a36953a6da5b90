/**
 * `specql` as a real child process, for tests of long-running commands (the
 * worker): signals, exit codes, a process killed mid-batch. The sources are
 * compiled once per test file into a private folder under node_modules/.cache
 * (so `pg` and the other dependencies resolve as from dist/), and run through
 * the same entry point bin/specql.js uses (dist/cli/main.js).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

export interface CompiledCli {
  readonly dist: string;
  spawn(args: string[], env?: NodeJS.ProcessEnv): SpecqlProcess;
  remove(): void;
}

export interface SpecqlProcess {
  readonly child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when a line matching `pattern` has been printed (rejects after `timeoutMs`, or if the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Exit code (or 128 + signal number style: null code with the signal name). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

export function compileCli(): CompiledCli {
  const cache = path.join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dist = mkdtempSync(path.join(cache, 'specql-cli-'));
  const tsc = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', dist, '--declaration', 'false', '--sourceMap', 'false'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}\n${tsc.stderr}`);
  // The same two lines as bin/specql.js, pointed at this build.
  const launcher = path.join(dist, 'specql.js');
  writeFileSync(
    launcher,
    "require('./cli/main.js').main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exitCode = 1; });\n",
  );
  return {
    dist,
    spawn: (args, env) => startProcess(launcher, args, env),
    remove: () => rmSync(dist, { recursive: true, force: true }),
  };
}

function startProcess(launcher: string, args: string[], env?: NodeJS.ProcessEnv): SpecqlProcess {
  const child = spawn(process.execPath, [launcher, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    text += chunk.toString();
    for (const l of [...listeners]) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const l of [...listeners]) l();
      resolve({ code, signal });
    }),
  );
  return {
    child,
    output: () => text,
    exited,
    kill: (signal) => {
      child.kill(signal);
    },
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const line = text.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) {
            done();
            resolve(line);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`specql exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${text}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${text}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
  };
}

/** Polls `probe` until it returns true (a bound for slow machines, not a timing assertion). */
export async function eventually(probe: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
}

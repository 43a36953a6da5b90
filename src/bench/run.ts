/**
 * `npm run bench`: every suite in ./suites runs in one process against one
 * server, so the ratios it prints compare things measured side by side on the
 * same machine, the same rows and the same moment. Results go to stdout and to
 * docs/benchmarks.md.
 *
 * The server: BENCH_DATABASE_URL, else DATABASE_URL, else an embedded
 * PostgreSQL 15 started for the run.
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeTempBase, startEmbedded, type EmbeddedServer } from '../db/embedded';
import type { BenchSuite, BenchResult } from './suite';

function loadSuites(): BenchSuite[] {
  const dir = path.join(__dirname, 'suites');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .sort()
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    .map((f) => (require(path.join(dir, f)) as { suite: BenchSuite }).suite);
}

function renderMarkdown(results: { suite: string; results: BenchResult[] }[], server: string): string {
  const lines = [
    '# Benchmarks',
    '',
    'Produced by `npm run bench` (do not edit by hand). Every ratio compares two measurements taken',
    'side by side in the same run, on the same server and rows.',
    '',
    `- date: ${new Date().toISOString().slice(0, 10)}`,
    `- machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
    `- server: ${server}`,
    '',
  ];
  for (const { suite, results: rows } of results) {
    lines.push(`## ${suite}`, '', '| measure | value | goal | met |', '|---|---|---|---|');
    for (const r of rows) {
      lines.push(`| ${r.name} | ${r.value} | ${r.goal ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} |`);
    }
    lines.push('');
    for (const r of rows) if (r.note) lines.push(`- ${r.name}: ${r.note}`);
    lines.push('');
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  let embedded: EmbeddedServer | null = null;
  let base: string | null = null;
  let url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? '';
  if (!url) {
    base = makeTempBase('specql-bench-');
    embedded = await startEmbedded({ dataDir: path.join(base, 'data'), persistent: false });
    url = embedded.url;
  }
  const all: { suite: string; results: BenchResult[] }[] = [];
  try {
    const only = process.argv.slice(2);
    for (const suite of loadSuites()) {
      if (only.length && !only.some((o) => suite.name.includes(o))) continue;
      process.stdout.write(`\n== ${suite.name}\n`);
      const results = await suite.run({ serverUrl: url, log: (m) => process.stdout.write(`   ${m}\n`) });
      for (const r of results) {
        process.stdout.write(`   ${r.name}: ${r.value}${r.goal ? `  (goal ${r.goal}: ${r.met ? 'met' : 'NOT met'})` : ''}\n`);
      }
      all.push({ suite: suite.name, results });
    }
  } finally {
    if (embedded) await embedded.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  }
  const serverName = embedded ? 'embedded PostgreSQL 15' : url.replace(/:[^:@/]*@/, ':***@');
  writeFileSync(path.join(__dirname, '..', '..', 'docs', 'benchmarks.md'), renderMarkdown(all, serverName));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

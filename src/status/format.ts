/** `specql status` as text for people; `--format json` prints the StatusReport itself. */
import type { LastRun, StatusReport } from './collect';

const bytes = (n: number): string => {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
};

export function ago(seconds: number): string {
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h ago`;
  return `${(seconds / 86_400).toFixed(1)} days ago`;
}

const run = (r: LastRun | null, never: string): string =>
  r === null ? never : `${ago(r.ageSeconds)} by ${r.by}${r.rows !== null ? ` (${r.rows} rows)` : ''}${r.detail ? `: ${r.detail}` : ''}`;

export function statusText(report: StatusReport): string {
  const lines: string[] = [`Database ${report.database} at ${report.now}${report.statsSince ? ` (statistics since ${report.statsSince})` : ''}`];
  for (const e of report.entities) {
    lines.push('', `${e.entity} (${e.table})${e.exists ? '' : ': MISSING'}`);
    const p = e.partitions;
    if (p) {
      lines.push(`  partitions: ${p.count} ${p.interval}, ≈${p.rows} rows, ${bytes(p.bytes)}; ${p.futureReady} future ready (premake ${p.premake})${p.newestBound ? `; newest ends ${p.newestBound}` : ''}`);
      if (p.defaultPartition) lines.push(`  DEFAULT ${p.defaultPartition}: ${p.defaultRows ?? 'missing'} rows`);
    }
    if (e.indexes.length) {
      lines.push(`  indexes: ${e.indexes.map((i) => `${i.name} ${i.scans} scans, ${bytes(i.bytes)}${i.unused ? ' (UNUSED)' : ''}`).join('; ')}`);
    }
    for (const q of e.queues) {
      lines.push(`  queue ${q.queue}: ${q.depth} waiting${q.oldestAgeSeconds !== null ? `, oldest ${q.oldestAgeSeconds} s` : ''}; last drain ${run(q.lastDrain, 'never')}; run by ${q.runner}`);
    }
    for (const v of e.views) {
      lines.push(`  view ${v.view}: refreshed ${run(v.lastRefresh, 'never')}; every ${v.interval} by ${v.runner}${v.stale ? ' — STALE' : ''}${v.lastError ? `; last error: ${v.lastError}` : ''}`);
    }
    if (e.maintenance) {
      lines.push(`  maintenance: ${run(e.maintenance.lastRun, 'never')}; run by ${e.maintenance.runner}${e.maintenance.lastError ? `; last error: ${e.maintenance.lastError}` : ''}`);
    }
  }
  lines.push('');
  if (report.problems.length === 0) lines.push('All current.');
  else {
    lines.push(`${report.problems.length} behind:`);
    for (const p of report.problems) lines.push(`  [${p.kind}] ${p.entity}: ${p.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The load-test report as text for people (JSON is the report object itself). */
import { formatCount, formatMs } from './stats';
import type { LoadTestReport } from './run';

export function loadTestText(r: LoadTestReport): string {
  const lines = [
    `load-test ${r.entity} (${r.table}) via ${r.via}: ${formatCount(r.rows)} rows, ${r.clients} client${r.clients === 1 ? '' : 's'}, batches of ${formatCount(r.batchSize)}, seed ${r.seed}`,
    `  timestamps spread over ${r.window.from.slice(0, 10)} .. ${r.window.to.slice(0, 10)} (exclusive)`,
    `  loaded in ${formatMs(r.durationMs)}: ${formatCount(r.rowsPerSecond)} rows/s`,
    `  batch latency: p50 ${formatMs(r.batchLatency.p50Ms)}, p99 ${formatMs(r.batchLatency.p99Ms)}, max ${formatMs(r.batchLatency.maxMs)} (${formatCount(r.batches)} batches)`,
  ];
  const lag = r.metricsLag;
  if (lag) {
    if (lag.drainedBatches === 0) lines.push(`  metrics lag (${lag.queue}): ${lag.note}`);
    else {
      lines.push(
        `  metrics lag (${lag.queue}, commit → taken by a worker, sampled every ${lag.sampleEveryMs} ms): p50 ${formatMs(lag.p50Ms!)}, p99 ${formatMs(lag.p99Ms!)}, max ${formatMs(lag.maxMs!)}` +
          (lag.drainedAfterMs !== null ? `; queue drained ${formatMs(lag.drainedAfterMs)} after the last batch` : `; ${lag.note}`),
      );
    }
  }
  lines.push('  rows per partition:');
  const width = Math.max(0, ...r.partitions.map((p) => p.name.length));
  for (const p of r.partitions) lines.push(`    ${p.name.padEnd(width)}  ${formatCount(p.rows).padStart(12)}`);
  return `${lines.join('\n')}\n`;
}

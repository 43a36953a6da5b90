/** Entity outputs for people: object names per entity, refresh and maintenance schedules. */
import type { EntityOutputs } from '../model/objects';

export function outputsText(outputs: readonly EntityOutputs[]): string {
  const lines: string[] = ['', 'Outputs:'];
  const runs = outputs.some((o) => o.queueSchedules.length > 0 || o.refreshSchedules.length > 0 || o.maintenanceSchedule !== null);
  for (const o of outputs) {
    lines.push(`  ${o.entity}: ${o.schema}.${o.table}`);
    if (o.partitions.length) lines.push(`    partitions: ${o.partitions.length} (${o.partitions[0]} … ${o.partitions[o.partitions.length - 1]})${o.defaultPartition ? ` + ${o.defaultPartition}` : ''}`);
    if (o.indexes.length) lines.push(`    indexes: ${o.indexes.join(', ')}`);
    if (o.functions.length) lines.push(`    functions: ${o.functions.join(', ')}`);
    if (o.triggers.length) lines.push(`    triggers: ${o.triggers.join(', ')}`);
    if (o.queue) lines.push(`    queue: ${o.queue}`);
    for (const q of o.queueSchedules) {
      lines.push(
        `    drain ${q.queue}: ${q.processor}(${q.batchSize}) until 0, by specql worker (on NOTIFY ${q.channel})` +
          (q.runner === 'pg_cron' ? ` and pg_cron job ${q.jobName} (${q.schedule}, GMT)` : ''),
      );
    }
    if (o.materializedViews.length) lines.push(`    materialized views: ${o.materializedViews.join(', ')}`);
    for (const r of o.refreshSchedules) {
      lines.push(`    refresh ${r.view}: every ${r.interval} (${r.cron} GMT, ${r.strategy}) by ${r.runner === 'pg_cron' ? `pg_cron job ${r.jobName}` : `specql worker (${r.command})`}`);
    }
    const m = o.maintenanceSchedule;
    if (m) {
      lines.push(`    partition maintenance: ${m.function}() daily (${m.cron} GMT) by ${m.runner === 'pg_cron' ? `pg_cron job ${m.jobName}` : `specql worker (${m.command})`}`);
    }
  }
  if (runs) lines.push('', 'Run `specql worker <specs>` to drain the queues, refresh the views and maintain the partitions (see docs/worker.md).');
  return `${lines.join('\n')}\n`;
}

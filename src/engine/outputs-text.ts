/** Entity outputs for people: object names per entity, refresh and maintenance schedules. */
import type { EntityOutputs } from '../model/objects';

export function outputsText(outputs: readonly EntityOutputs[]): string {
  const lines: string[] = ['', 'Outputs:'];
  for (const o of outputs) {
    lines.push(`  ${o.entity}: ${o.schema}.${o.table}`);
    if (o.partitions.length) lines.push(`    partitions: ${o.partitions.length} (${o.partitions[0]} … ${o.partitions[o.partitions.length - 1]})${o.defaultPartition ? ` + ${o.defaultPartition}` : ''}`);
    if (o.indexes.length) lines.push(`    indexes: ${o.indexes.join(', ')}`);
    if (o.functions.length) lines.push(`    functions: ${o.functions.join(', ')}`);
    if (o.triggers.length) lines.push(`    triggers: ${o.triggers.join(', ')}`);
    if (o.queue) lines.push(`    queue: ${o.queue}`);
    if (o.materializedViews.length) lines.push(`    materialized views: ${o.materializedViews.join(', ')}`);
    for (const r of o.refreshSchedules) {
      lines.push(`    refresh ${r.view}: every ${r.interval} (${r.cron} GMT, ${r.strategy}) via ${r.runner === 'pg_cron' ? `pg_cron job ${r.jobName}` : `external scheduler: ${r.command}`}`);
    }
    const m = o.maintenanceSchedule;
    if (m) {
      lines.push(`    partition maintenance: ${m.function}() daily (${m.cron} GMT) via ${m.runner === 'pg_cron' ? `pg_cron job ${m.jobName}` : `external scheduler: ${m.command}`}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

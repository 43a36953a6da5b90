/** The plan for people: numbered steps with lock, mode and hazards, then drift notes. */
import type { Plan } from '../types';

export function formatPlanText(plan: Plan): string {
  const lines: string[] = [];
  if (plan.steps.length === 0) lines.push('No changes: the database matches the specs.');
  else lines.push(`Plan: ${plan.steps.length} step(s)`);
  plan.steps.forEach((s, i) => {
    const mode = s.transactional ? `in transaction, lock_timeout ${s.lockTimeoutMs} ms` : 'outside a transaction (CONCURRENTLY)';
    lines.push(`\n${String(i + 1).padStart(3)}. ${s.description}`);
    const on = s.locks.map((l) => `${l.mode} on ${l.relation.schema}.${l.relation.name}`).join(', ');
    lines.push(`     lock: ${on || 'none'}; ${mode}`);
    for (const h of s.hazards) lines.push(`     hazard ${h.code}: ${h.message}`);
    lines.push(s.sql.split('\n').map((l) => `     | ${l}`).join('\n'));
  });
  if (plan.hazards.length) {
    lines.push('\nHazards:');
    for (const h of plan.hazards) lines.push(`  ${h.code}${h.blocking ? ' (needs --allow-hazards)' : ''}: steps ${h.steps.join(', ')}`);
  }
  if (plan.diagnostics.length) {
    lines.push('\nNotes:');
    for (const d of plan.diagnostics) lines.push(`  ${d.severity}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

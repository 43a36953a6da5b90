/**
 * The plan for people: numbered steps with lock, mode and hazards, then drift
 * notes. Steps repeated per partition are listed as one entry with a summary
 * line (see ./group), their statements below it.
 */
import type { Plan } from '../types';
import { groupSteps } from './group';

export function formatPlanText(plan: Plan): string {
  const lines: string[] = [];
  if (plan.steps.length === 0) lines.push('No changes: the database matches the specs.');
  else lines.push(`Plan: ${plan.steps.length} step(s)`);
  for (const g of groupSteps(plan.steps)) {
    if (g.steps.length === 1) {
      const s = g.steps[0]!;
      const mode = s.transactional ? `in transaction, lock_timeout ${s.lockTimeoutMs} ms` : 'outside a transaction (CONCURRENTLY)';
      lines.push(`\n${String(g.first).padStart(3)}. ${s.description}`);
      const on = s.locks.map((l) => `${l.mode} on ${l.relation.schema}.${l.relation.name}`).join(', ');
      lines.push(`     lock: ${on || 'none'}; ${mode}`);
      for (const h of s.hazards) lines.push(`     hazard ${h.code}: ${h.message}`);
      lines.push(s.sql.split('\n').map((l) => `     | ${l}`).join('\n'));
      continue;
    }
    const mode = g.mode === 'transaction' ? 'each in a transaction' : g.mode === 'concurrent' ? 'outside a transaction (CONCURRENTLY)' : 'CONCURRENTLY builds, transactional steps in between';
    lines.push(`\n${String(g.first).padStart(3)}-${g.last}. ${g.summary}`);
    lines.push(`     strongest lock: ${g.lock} (one partition at a time); ${mode}`);
    for (const code of g.hazards) lines.push(`     hazard ${code}: ${g.steps.find((s) => s.hazards.some((h) => h.code === code))!.hazards.find((h) => h.code === code)!.message} (and likewise per partition)`);
    g.steps.forEach((s, k) => {
      lines.push(`     | -- ${g.first + k}. ${s.description}`);
      lines.push(s.sql.split('\n').map((l) => `     | ${l}`).join('\n'));
    });
  }
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

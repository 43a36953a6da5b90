/**
 * The plan as a pull-request comment: a table of steps and hazards, then the
 * SQL in a folded block. Steps repeated per partition are one table row
 * ("create index … concurrently on 39 partitions, then attach"; see ./group);
 * every statement is still in the folded SQL.
 */
import type { Plan } from '../types';
import { groupSteps, type StepGroup } from './group';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const numbers = (g: StepGroup): string => (g.first === g.last ? `${g.first}` : `${g.first}–${g.last}`);

export function formatPlanMarkdown(plan: Plan): string {
  const out: string[] = ['### specql plan', ''];
  if (plan.steps.length === 0) {
    out.push('No changes: the database matches the specs.');
  } else {
    const blocking = plan.hazards.filter((h) => h.blocking).map((h) => `\`${h.code}\``);
    out.push(`${plan.steps.length} step(s)${blocking.length ? ` — **needs approval:** ${blocking.join(', ')}` : ''}`, '');
    out.push('| # | Step | Lock | Mode | Hazards |', '|---|------|------|------|---------|');
    const groups = groupSteps(plan.steps);
    for (const g of groups) {
      const hazards = g.hazards.map((h) => `\`${h}\``).join(' ') || '—';
      const mode = g.mode === 'mixed' ? 'concurrent + transaction' : g.mode;
      out.push(`| ${numbers(g)} | ${cell(g.summary)} | ${g.lock} | ${mode} | ${hazards} |`);
    }
    out.push('', '<details><summary>SQL (all statements)</summary>', '', '```sql');
    for (const g of groups) {
      if (g.steps.length > 1) out.push(`-- ${numbers(g)}. ${g.summary}:`);
      g.steps.forEach((s, k) => out.push(`-- ${g.first + k}. ${s.description}`, s.sql, ''));
    }
    out.push('```', '', '</details>');
  }
  if (plan.diagnostics.length) {
    out.push('', '**Notes**', '');
    for (const d of plan.diagnostics) out.push(`- ${d.severity}: ${cell(d.message)}`);
  }
  return `${out.join('\n')}\n`;
}

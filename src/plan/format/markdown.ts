/** The plan as a pull-request comment: a table of steps and hazards, then the SQL in one fenced block. */
import type { Plan } from '../types';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function formatPlanMarkdown(plan: Plan): string {
  const out: string[] = ['### specql plan', ''];
  if (plan.steps.length === 0) {
    out.push('No changes: the database matches the specs.');
  } else {
    const blocking = plan.hazards.filter((h) => h.blocking).map((h) => `\`${h.code}\``);
    out.push(`${plan.steps.length} step(s)${blocking.length ? ` — **needs approval:** ${blocking.join(', ')}` : ''}`, '');
    out.push('| # | Step | Lock | Mode | Hazards |', '|---|------|------|------|---------|');
    plan.steps.forEach((s, i) => {
      const hazards = s.hazards.map((h) => `\`${h.code}\``).join(' ') || '—';
      out.push(`| ${i + 1} | ${cell(s.description)} | ${s.lock} | ${s.transactional ? 'transaction' : 'concurrent'} | ${hazards} |`);
    });
    out.push('', '<details><summary>SQL</summary>', '', '```sql');
    plan.steps.forEach((s, i) => out.push(`-- ${i + 1}. ${s.description}`, s.sql, ''));
    out.push('```', '', '</details>');
  }
  if (plan.diagnostics.length) {
    out.push('', '**Notes**', '');
    for (const d of plan.diagnostics) out.push(`- ${d.severity}: ${cell(d.message)}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * Steps repeated once per partition (PlanStep.partition) read as one line in a
 * review: "create index analytics.idx_x concurrently on 39 partitions, then
 * attach" instead of 78 rows. The grouping is for people only (the text,
 * markdown and plannedSql views); execution and the JSON format keep every
 * step. Built from step metadata (object, action, partition, transactional),
 * never from the SQL text.
 */
import type { HazardCode, LockMode, PlanStep } from '../../model/step';
import { strongest } from '../../model/step';

export interface StepGroup {
  /** 1-based number of the group's first step in the plan. */
  readonly first: number;
  /** 1-based number of its last step (first === last for a single step). */
  readonly last: number;
  readonly steps: readonly PlanStep[];
  /** The partitions the group works on (0 for a single, non-partition step). */
  readonly partitions: number;
  /** One line: the step's description, or the group's summary. */
  readonly summary: string;
  readonly lock: LockMode;
  /** 'transaction', 'concurrent' or 'mixed' (both kinds of step). */
  readonly mode: 'transaction' | 'concurrent' | 'mixed';
  readonly hazards: readonly HazardCode[];
}

/** Fewer partitions than this stay as separate steps: a group of two saves nothing. */
export const MIN_GROUPED_PARTITIONS = 3;

/**
 * Groups maximal runs of consecutive steps on the same object that each work
 * on a partition (e.g. per partition: build the index concurrently, attach it).
 */
export function groupSteps(steps: readonly PlanStep[]): StepGroup[] {
  const groups: StepGroup[] = [];
  let i = 0;
  while (i < steps.length) {
    const start = steps[i]!;
    let end = i + 1;
    if (start.partition) {
      while (end < steps.length && steps[end]!.partition && steps[end]!.object === start.object) end++;
    }
    const run = steps.slice(i, end);
    const partitions = new Set(run.filter((s) => s.partition).map((s) => `${s.partition!.schema}.${s.partition!.name}`)).size;
    if (run.length > 1 && partitions >= MIN_GROUPED_PARTITIONS) {
      groups.push(makeGroup(i, run, partitions, summarize(run, partitions)));
    } else {
      // Too short to group: one entry per step.
      run.forEach((s, k) => groups.push(makeGroup(i + k, [s], s.partition ? 1 : 0, s.description)));
    }
    i = end;
  }
  return groups;
}

function makeGroup(index: number, steps: readonly PlanStep[], partitions: number, summary: string): StepGroup {
  const transactional = steps.filter((s) => s.transactional).length;
  const hazards: HazardCode[] = [];
  for (const s of steps) for (const h of s.hazards) if (!hazards.includes(h.code)) hazards.push(h.code);
  return {
    first: index + 1,
    last: index + steps.length,
    steps,
    partitions,
    summary,
    lock: strongest(steps.map((s) => s.lock)),
    mode: transactional === steps.length ? 'transaction' : transactional === 0 ? 'concurrent' : 'mixed',
    hazards,
  };
}

/** `create index analytics.idx_x concurrently on 39 partitions, then attach`. */
function summarize(run: readonly PlanStep[], partitions: number): string {
  const subject = subjectOf(run[0]!.object);
  // One phrase per kind of step (action, and whether it runs concurrently), in plan order.
  const seen = new Set<string>();
  const phrases: string[] = [];
  for (const s of run) {
    const kind = `${s.action}/${s.transactional}`;
    if (seen.has(kind)) continue;
    seen.add(kind);
    phrases.push(phraseFor(s, subject, phrases.length === 0));
  }
  const [head, ...rest] = phrases;
  return `${head} on ${partitions} partitions${rest.length ? `, then ${rest.join(', then ')}` : ''}`;
}

/** `index:analytics.idx_x` → `index analytics.idx_x` (object keys are `<kind>:<schema>.<name>`). */
function subjectOf(object: string): string {
  const colon = object.indexOf(':');
  return colon > 0 ? `${object.slice(0, colon).replace(/_/g, ' ')} ${object.slice(colon + 1)}` : object;
}

function phraseFor(step: PlanStep, subject: string, first: boolean): string {
  const how = step.transactional ? '' : ' concurrently';
  const verb: Record<string, string> = {
    build: 'create',
    attach: 'attach',
    detach: 'detach',
    drop: 'drop',
    rename: 'rename',
    move_rows: 'move rows',
    create: 'create',
    alter: 'alter',
    lock: 'lock',
    comment: 'comment',
  };
  const word = verb[step.action] ?? step.action.replace(/_/g, ' ');
  // The first phrase names what is worked on; the later ones read as "then attach".
  return first ? `${word} ${subject}${how}` : `${word}${how}`;
}

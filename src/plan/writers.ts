/**
 * Writers never fail and are always counted during an apply.
 *
 * A workflow's writer path is what an INSERT into its source table runs
 * through: the trigger, the trigger's function, the queue it fills, and the
 * entity's other functions that fill or drain that queue (the bulk function,
 * the processor). The rules emit the steps that change it in dependency
 * phases, far apart (a trigger dropped in the first phase and created again
 * in a late one; a queue column dropped in one transaction and the enqueue
 * function replaced in a later one); between them an INSERT fails, or is not
 * counted.
 *
 * So when the path changes shape (a trigger, a queue, or a dropped function
 * is involved), its steps move, in their planned order, into ONE transaction
 * at the place of the last of them (everything they depend on is then
 * created, and every drop after them is unaffected), behind a
 * `LOCK … IN EXCLUSIVE MODE` on the source table: writers wait for the
 * commit and then run the new path whole; readers go on.
 *
 * What only the old path used (a queue column, a whole queue, a function no
 * longer in the spec, a source column the plan drops, a plain table the plan
 * drops or drops a column of — a metric table the old function writes) is dropped after that,
 * in a second transaction that first waits for every statement that started
 * before the switch: plpgsql compiles a function when it is called, so a bulk
 * call that began just before the switch still runs the old body, and would
 * fail on a column dropped under it. A queue that goes away (async → sync) is
 * drained by its live processor in that transaction, before it is dropped: no
 * queued row is lost.
 *
 * A source table the plan creates has no writers yet: nothing to do (and the
 * fresh script stays as it was).
 */
import { objectKey, type DbObject, type FunctionObject, type TableObject, type TriggerObject } from '../model/objects';
import type { PlanStep } from '../model/step';
import { drainQueueBeforeDrop, lockSourceForWriters, waitForOlderStatements } from '../render/writer-path';
import type { PlanContext } from './context';

export function groupWriterPaths(ctx: PlanContext, steps: readonly PlanStep[]): PlanStep[] {
  let out = [...steps];
  for (const source of ctx.desired.objects) {
    if (source.kind !== 'table' || source.role !== 'entity' || !ctx.liveByKey.has(objectKey(source))) continue;
    out = groupOne(ctx, out, source);
  }
  return out;
}

const onTable = (t: TriggerObject, table: TableObject): boolean => t.table.schema === table.schema && t.table.name === table.name;

function groupOne(ctx: PlanContext, steps: PlanStep[], source: TableObject): PlanStep[] {
  const entity = ctx.desiredEntity(source);
  const all: { o: DbObject; owner: string | null; live: boolean }[] = [
    ...ctx.desired.objects.map((o) => ({ o, owner: ctx.desiredEntity(o), live: false })),
    ...ctx.live.objects.map((o) => ({ o, owner: ctx.liveEntity(o), live: true })),
  ];
  const triggers = all.map((x) => x.o).filter((o): o is TriggerObject => o.kind === 'trigger' && onTable(o, source));
  if (triggers.length === 0 || entity === null) return steps;
  const called = new Set(triggers.map((t) => `${t.function.schema}.${t.function.name}`));
  const keys = new Set(triggers.map(objectKey));
  const queueKeys = new Set<string>();
  for (const { o, owner } of all) {
    if (o.kind === 'function' && (called.has(`${o.schema}.${o.name}`) || owner === entity)) keys.add(objectKey(o));
    if (o.kind === 'table' && o.role === 'queue' && owner === entity) {
      keys.add(objectKey(o));
      queueKeys.add(objectKey(o));
    }
  }
  const isPath = (s: PlanStep): boolean => s.transactional && keys.has(s.object);
  const path = steps.filter(isPath);
  if (path.length === 0) return steps;
  const sourceKey = objectKey(source);
  // Plain tables the plan drops (whole, or a column): a metric table the old path may still
  // write (its function runs on in statements that began before the switch).
  const targetDrops = steps.filter((s) => {
    if (!s.transactional || s.action !== 'drop' || s.object === sourceKey || keys.has(s.object)) return false;
    const live = ctx.liveByKey.get(s.object);
    return live?.kind === 'table' && live.role === 'entity' && live.partitionBy === null;
  });
  // Drops on the source table (a column the old bulk function or trigger still names).
  const sourceDrops = steps.filter((s) => s.transactional && s.object === sourceKey && s.action === 'drop');
  const reshapes =
    targetDrops.length > 0 ||
    sourceDrops.length > 0 ||
    path.some((s) => s.object.startsWith('trigger:') || queueKeys.has(s.object) || (s.object.startsWith('function:') && s.action === 'drop'));
  if (!reshapes) return steps;

  const last = Math.max(...[...path, ...targetDrops, ...sourceDrops].map((s) => steps.lastIndexOf(s)));
  const group = `writers:${source.schema}.${source.name}`;
  const retire = `${group}:retire`;
  const desiredFunctionNames = new Set(ctx.desired.objects.filter((o): o is FunctionObject => o.kind === 'function').map((f) => `${f.schema}.${f.name}`));
  // What the old path wrote to and the new one does not: dropped only after the switch, and
  // after every statement that started before it (one may still run the old function body).
  const retires = (s: PlanStep): boolean => {
    if (s.action !== 'drop') return false;
    if (queueKeys.has(s.object) || s.object === sourceKey) return true;
    const fn = ctx.liveByKey.get(s.object);
    return fn?.kind === 'function' && !desiredFunctionNames.has(`${fn.schema}.${fn.name}`);
  };
  const lock = { ...lockSourceForWriters(ctx.render, source, sourceKey, group, 'its trigger, functions and queue'), lockTimeoutMs: ctx.lockTimeoutMs };

  const later = [...path.filter(retires), ...sourceDrops, ...targetDrops];
  const now = path.filter((s) => !retires(s));
  // Queues that go away: drained by their live processor (`<action>_process(integer)`, same entity)
  // once nothing writes them any more, in the transaction that drops them.
  const drains: PlanStep[] = [];
  const drained = new Set<string>();
  for (const s of later) {
    if (!queueKeys.has(s.object) || ctx.desiredByKey.has(s.object)) continue;
    const queue = ctx.liveByKey.get(s.object);
    if (!queue || queue.kind !== 'table') continue;
    const processor = liveProcessor(ctx, queue, entity);
    if (!processor) continue;
    drains.push({ ...drainQueueBeforeDrop(queue, processor, s.object, retire), lockTimeoutMs: ctx.lockTimeoutMs });
    drained.add(s.object);
  }
  const block = [
    ...(now.length > 0 ? [lock, ...now.map((s) => ({ ...s, group }))] : []),
    ...(later.length > 0
      ? [
          { ...waitForOlderStatements(sourceKey, retire, 'drop what only the old path used'), lockTimeoutMs: ctx.lockTimeoutMs },
          ...drains,
          ...later.map((s) => ({
            ...s,
            group: retire,
            // Drained in the same transaction, nothing writes it any more: nothing queued is lost.
            ...(drained.has(s.object) ? { hazards: s.hazards.filter((h) => h.code !== 'deletes_data') } : {}),
          })),
        ]
      : []),
  ];
  const taken = new Set<PlanStep>([...path, ...sourceDrops, ...targetDrops]);
  const out: PlanStep[] = [];
  steps.forEach((s, i) => {
    if (!taken.has(s)) out.push(s);
    if (i === last) out.push(...block);
  });
  return out;
}

/** The queue's processor as it is in the database: `<action>_process(integer)` of the same entity. */
function liveProcessor(ctx: PlanContext, queue: TableObject, entity: string): FunctionObject | null {
  const action = queue.name.endsWith('_queue') ? queue.name.slice(0, -'_queue'.length) : null;
  const found = ctx.live.objects.find(
    (o): o is FunctionObject =>
      o.kind === 'function' &&
      o.schema === queue.schema &&
      ctx.liveEntity(o) === entity &&
      o.args.length === 1 &&
      o.args[0]!.type === 'integer' &&
      o.returns === 'integer' &&
      (action === null ? o.name.endsWith('_process') : o.name === `${action}_process`),
  );
  return found ?? null;
}

/** pg_cron jobs: `cron.schedule(name, …)` with an existing name updates the job,
 *  so creating and changing are the same statement. */
import type { CronJobObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { quoteLiteral } from '../../model/ident';
import { makeStep, type PlanContext } from '../context';
import { LOCKS } from '../locks';
import { Phase } from '../order';

export function planCronJob(ctx: PlanContext, desired: CronJobObject): void {
  const live = ctx.liveByKey.get(objectKey(desired));
  if (live && live.kind === 'cron_job' && live.schedule === desired.schedule && live.command === desired.command) return;
  ctx.emit(Phase.Cron, makeStep(ctx, {
    sql: `SELECT cron.schedule(${quoteLiteral(desired.name)}, ${quoteLiteral(desired.schedule)}, ${quoteLiteral(desired.command)});`,
    object: objectKey(desired),
    description: `${live ? 'update' : 'schedule'} pg_cron job ${desired.name} (${desired.schedule}, GMT)`,
    lock: LOCKS.none,
  }));
}

export function unscheduleCronJob(ctx: PlanContext, live: CronJobObject): void {
  ctx.emit(Phase.Cron, makeStep(ctx, {
    sql: `SELECT cron.unschedule(${quoteLiteral(live.name)});`,
    object: objectKey(live),
    description: `unschedule pg_cron job ${live.name} (no longer in the spec)`,
    lock: LOCKS.none,
  }));
}

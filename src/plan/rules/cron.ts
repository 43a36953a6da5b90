/** pg_cron jobs: scheduled (or updated in place) when the schedule or command differs. */
import type { CronJobObject } from '../../model/objects';
import { objectKey } from '../../model/objects';
import { scheduleCronJob } from '../../render/cron-jobs';
import type { PlanContext } from '../context';
import { Phase } from '../order';

export function planCronJob(ctx: PlanContext, desired: CronJobObject): void {
  const live = ctx.liveByKey.get(objectKey(desired));
  if (live && live.kind === 'cron_job' && live.schedule === desired.schedule && live.command === desired.command) return;
  ctx.emit(Phase.Cron, scheduleCronJob(desired, live !== undefined));
}

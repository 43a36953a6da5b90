/** pg_cron jobs: `cron.schedule(name, …)` with an existing job's name updates
 *  that job, so creating and changing are one statement. Times are GMT. */
import { quoteLiteral } from '../model/ident';
import type { CronJobObject } from '../model/objects';
import { objectKey } from '../model/objects';
import type { PlanStep } from '../model/step';
import { step } from './step';

export function scheduleCronJob(job: CronJobObject, exists: boolean): PlanStep {
  return step({
    sql: `SELECT cron.schedule(${quoteLiteral(job.name)}, ${quoteLiteral(job.schedule)}, ${quoteLiteral(job.command)});`,
    object: objectKey(job),
    action: 'schedule',
    description: `${exists ? 'update' : 'schedule'} pg_cron job ${job.name} (${job.schedule} GMT): ${job.command}`,
  });
}

export function unscheduleCronJob(job: Pick<CronJobObject, 'name'>, why: string): PlanStep {
  return step({
    sql: `SELECT cron.unschedule(${quoteLiteral(job.name)});`,
    object: `cron_job:${job.name}`,
    action: 'unschedule',
    description: `unschedule pg_cron job ${job.name} (${why})`,
  });
}

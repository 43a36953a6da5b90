/**
 * Who drains a workflow queue, and how they are told there is work.
 *
 * - The enqueue trigger (and the bulk function, when it enqueues itself) sends
 *   one NOTIFY on QUEUE_CHANNEL per inserting statement, with the queue's
 *   qualified name as payload. PostgreSQL delivers it at commit, and folds
 *   identical notifications of one transaction into one, so a COPY of a
 *   million rows wakes a listening `specql worker` once.
 * - Where pg_cron exists, a job drains the queue too (so that a database with
 *   pg_cron needs no worker): pg_cron 1.5+ runs it every 30 seconds, older
 *   versions every minute. Its command calls the processor until it returns 0,
 *   committing after each batch, so a large backlog is never one huge
 *   transaction. It is a DO block rather than a generated procedure because
 *   a procedure that commits cannot be SECURITY DEFINER or pin search_path;
 *   the block itself does nothing but call the (SECURITY DEFINER, pinned)
 *   processor by its qualified name, with the job owner's rights.
 */
import { qualify, quoteLiteral } from '../model/ident';
import type { CronJobObject, FunctionObject, QueueSchedule, TableObject } from '../model/objects';
import { drainJobName } from './naming';

/** The one channel every enqueue trigger notifies; the payload names the queue. */
export const QUEUE_CHANNEL = 'specql_queue';

/** pg_cron schedules for the drain job: seconds need pg_cron 1.5+. */
export const DRAIN_CRON_SECONDS = '30 seconds';
export const DRAIN_CRON_MINUTE = '* * * * *';

/** The payload: `<schema>.<queue>` as written in pg_catalog (unquoted, for people and the worker). */
export const queuePayload = (queue: Pick<TableObject, 'schema' | 'name'>): string => `${queue.schema}.${queue.name}`;

/** The processor's default batch (the spec's batch_updates hint), read back from its argument default. */
export function processorBatchSize(processor: FunctionObject): number {
  const value = Number(processor.args.find((a) => a.name === 'p_batch_size')?.default);
  return Number.isInteger(value) && value > 0 ? value : 1;
}

/**
 * plpgsql lines that wake the worker, for a body that has just enqueued rows.
 * `condition` says whether any row was enqueued (FOUND after an INSERT, or a count).
 */
export function notifyLines(queue: Pick<TableObject, 'schema' | 'name'>, condition: string, indent: string): string[] {
  return [
    `${indent}-- Wake a listening \`specql worker\`: one notification per statement (sent at commit).`,
    `${indent}IF ${condition} THEN`,
    `${indent}  PERFORM pg_notify(${quoteLiteral(QUEUE_CHANNEL)}, ${quoteLiteral(queuePayload(queue))});`,
    `${indent}END IF;`,
  ];
}

/** The command a scheduler without the worker runs: drain until empty, one transaction per batch. */
export function drainCommand(processor: FunctionObject): string {
  const call = `${qualify(processor.schema, processor.name)}(${processorBatchSize(processor)})`;
  return `DO $specql$ BEGIN LOOP EXIT WHEN ${call} = 0; COMMIT; END LOOP; END $specql$;`;
}

export function drainCronJob(queue: TableObject, processor: FunctionObject, seconds: boolean): CronJobObject {
  return {
    kind: 'cron_job',
    name: drainJobName(queue.schema, queue.name),
    schedule: seconds ? DRAIN_CRON_SECONDS : DRAIN_CRON_MINUTE,
    command: drainCommand(processor),
  };
}

export function queueSchedule(queue: TableObject, processor: FunctionObject, pgCron: boolean, seconds: boolean): QueueSchedule {
  return {
    queue: queue.name,
    processor: `${processor.schema}.${processor.name}`,
    batchSize: processorBatchSize(processor),
    channel: QUEUE_CHANNEL,
    runner: pgCron ? 'pg_cron' : 'worker',
    jobName: drainJobName(queue.schema, queue.name),
    schedule: pgCron
      ? seconds ? DRAIN_CRON_SECONDS : DRAIN_CRON_MINUTE
      : `on NOTIFY ${QUEUE_CHANNEL}, polling as a fallback`,
    command: drainCommand(processor),
  };
}

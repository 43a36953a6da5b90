/** Steps for functions, triggers and pg_cron jobs (SQL text comes from function.ts / trigger.ts). */
import type { CronJobObject, FunctionObject, TriggerObject } from '../model/objects';
import { objectKey } from '../model/objects';
import type { PlanStep } from '../model/step';
import { createFunctionSql, dropFunctionSql, functionSignature, revokePublicSql } from './function-sql';
import { createTriggerSql, dropTriggerSql } from './trigger-sql';
import { quoteLiteral } from '../model/ident';
import { hazard, step } from './step';

/**
 * CREATE OR REPLACE FUNCTION, then REVOKE EXECUTE FROM PUBLIC. They are two
 * statements; whoever applies them should run both in one transaction so
 * PUBLIC can never call a SECURITY DEFINER function in between.
 */
export function createFunctionSteps(fn: FunctionObject): PlanStep[] {
  const signature = functionSignature(fn);
  const steps = [
    step({
      sql: createFunctionSql(fn),
      object: objectKey(fn),
      description: `create function ${signature} (${fn.purpose}${fn.securityDefiner ? ', security definer' : ''})`,
      lock: 'none',
    }),
  ];
  if (fn.revokePublic) {
    steps.push(
      step({
        sql: revokePublicSql(fn),
        object: objectKey(fn),
        description: `revoke execute on ${signature} from public`,
        lock: 'none',
      }),
    );
  }
  return steps;
}

export function dropFunctionSteps(fn: FunctionObject): PlanStep[] {
  return [
    step({
      sql: dropFunctionSql(fn),
      object: objectKey(fn),
      description: `drop function ${functionSignature(fn)} (${fn.purpose})`,
      lock: 'none',
    }),
  ];
}

const triggerLabel = (t: TriggerObject): string => `trigger ${t.name} on ${t.table.schema}.${t.table.name}`;

export function createTriggerSteps(trigger: TriggerObject): PlanStep[] {
  return [
    step({
      sql: createTriggerSql(trigger),
      object: objectKey(trigger),
      description: `create ${triggerLabel(trigger)} (${trigger.timing} ${trigger.events.join('/')} for each ${trigger.level.toLowerCase()})`,
      // CREATE TRIGGER: SHARE ROW EXCLUSIVE (blocks writes, not reads), measured on PG 15.
      lock: 'SHARE ROW EXCLUSIVE',
    }),
  ];
}

export function dropTriggerSteps(trigger: TriggerObject): PlanStep[] {
  return [
    step({
      sql: dropTriggerSql(trigger),
      object: objectKey(trigger),
      description: `drop ${triggerLabel(trigger)}`,
      // DROP TRIGGER takes ACCESS EXCLUSIVE on the table (measured on PG 15).
      lock: 'ACCESS EXCLUSIVE',
      hazards: [hazard('access_exclusive_lock', `briefly locks ${trigger.table.schema}.${trigger.table.name}`)],
    }),
  ];
}

/** cron.schedule with an existing job's name updates that job, so this is also the "alter". */
export function createCronJobSteps(job: CronJobObject): PlanStep[] {
  return [
    step({
      sql: `SELECT cron.schedule(${quoteLiteral(job.name)}, ${quoteLiteral(job.schedule)}, ${quoteLiteral(job.command)});`,
      object: objectKey(job),
      description: `schedule pg_cron job ${job.name} (${job.schedule} GMT): ${job.command}`,
      lock: 'none',
    }),
  ];
}

export function dropCronJobSteps(job: CronJobObject): PlanStep[] {
  return [
    step({
      sql: `SELECT cron.unschedule(${quoteLiteral(job.name)});`,
      object: objectKey(job),
      description: `unschedule pg_cron job ${job.name}`,
      lock: 'none',
    }),
  ];
}

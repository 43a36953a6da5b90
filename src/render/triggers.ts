/**
 * Triggers. CREATE TRIGGER takes SHARE ROW EXCLUSIVE on its table (writes wait,
 * reads continue); DROP TRIGGER takes ACCESS EXCLUSIVE. A statement-level
 * trigger on a partitioned parent locks only the parent (measured on PG 15).
 */
import { qualify, quoteIdent } from '../model/ident';
import type { TriggerObject } from '../model/objects';
import { objectKey } from '../model/objects';
import type { PlanStep } from '../model/step';
import { hazard, lockOn, relationName, step } from './step';

export function createTriggerSql(t: TriggerObject): string {
  return [
    `CREATE TRIGGER ${quoteIdent(t.name)}`,
    `  ${t.timing} ${t.events.join(' OR ')} ON ${qualify(t.table.schema, t.table.name)}`,
    ...(t.newTable ? [`  REFERENCING NEW TABLE AS ${quoteIdent(t.newTable)}`] : []),
    `  FOR EACH ${t.level}`,
    `  EXECUTE FUNCTION ${qualify(t.function.schema, t.function.name)}();`,
  ].join('\n');
}

const label = (t: TriggerObject): string => `trigger ${t.name} on ${relationName(t.table)}`;

export function createTrigger(trigger: TriggerObject, group?: string): PlanStep {
  return step({
    sql: createTriggerSql(trigger),
    object: objectKey(trigger),
    action: 'create',
    description: `create ${label(trigger)} (${trigger.timing} ${trigger.events.join('/')} for each ${trigger.level.toLowerCase()}, calls ${trigger.function.name})`,
    locks: [lockOn(trigger.table, 'SHARE ROW EXCLUSIVE')],
    ...(group ? { group } : {}),
  });
}

export function dropTrigger(trigger: TriggerObject, why: string, group?: string): PlanStep {
  return step({
    sql: `DROP TRIGGER IF EXISTS ${quoteIdent(trigger.name)} ON ${qualify(trigger.table.schema, trigger.table.name)};`,
    object: objectKey(trigger),
    action: 'drop',
    description: `drop ${label(trigger)} (${why})`,
    locks: [lockOn(trigger.table, 'ACCESS EXCLUSIVE')],
    hazards: [hazard('access_exclusive_lock', `briefly locks ${relationName(trigger.table)}`)],
    ...(group ? { group } : {}),
  });
}

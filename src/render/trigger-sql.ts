import type { TriggerObject } from '../model/objects';
import { qualify, quoteIdent } from '../model/ident';

export function createTriggerSql(t: TriggerObject): string {
  return [
    `CREATE TRIGGER ${quoteIdent(t.name)}`,
    `  ${t.timing} ${t.events.join(' OR ')} ON ${qualify(t.table.schema, t.table.name)}`,
    ...(t.newTable ? [`  REFERENCING NEW TABLE AS ${quoteIdent(t.newTable)}`] : []),
    `  FOR EACH ${t.level}`,
    `  EXECUTE FUNCTION ${qualify(t.function.schema, t.function.name)}();`,
  ].join('\n');
}

export function dropTriggerSql(t: TriggerObject): string {
  return `DROP TRIGGER IF EXISTS ${quoteIdent(t.name)} ON ${qualify(t.table.schema, t.table.name)};`;
}

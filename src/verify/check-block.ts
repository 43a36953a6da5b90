/**
 * What every server check's plpgsql block shares: its standard variables and
 * the constructor that turns a block into a ServerCheck.
 */
import type { EntitySpec } from '../spec/model';
import type { ServerCheck } from './types';

/** Variables every block may use: its time window, its rows, a stopwatch, a plan, a count, a text. */
export const STANDARD = ['v_from timestamptz', 'v_to timestamptz', 'v_rows jsonb', 'v_t timestamptz', 'v_ms numeric', 'v_plan jsonb', 'v_n bigint', 'v_text text'];
export const ELAPSED_MS = 'v_ms := extract(epoch FROM clock_timestamp() - v_t) * 1000;';
export const MS_TEXT = "round(v_ms, 1) || ' ms'";

/** `1,000`: counts in descriptions. */
export const thousands = (n: number): string => n.toLocaleString('en-US');
export const partitionColumnType = (entity: EntitySpec): string => entity.fields.find((f) => f.name === entity.partitioning?.column)?.type ?? 'timestamp with time zone';

export function check(entity: EntitySpec, kind: ServerCheck['kind'], description: string, block: string[], timeoutMs: number, declarations: string[] = []): ServerCheck {
  return { where: 'server', kind, entity: entity.entity, schema: entity.schema, description, declarations: [...STANDARD, ...declarations], block: block.join('\n'), timeoutMs };
}

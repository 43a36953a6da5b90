/**
 * The worker's record of what it ran: `specql.run_log`, one row per run
 * (a queue drain, a view refresh, a partition maintenance, a cache write):
 * what, when, how long, how many rows, and the error if it failed.
 * `specql status` reads it; the worker re-checks it under a lock so a late
 * scheduled run is never run twice.
 *
 * Why a schema of its own (`specql`): the record belongs to no entity and is
 * shared by every schema the specs use (one worker serves them all), so it
 * must not sit in any one of them; a dedicated schema also keeps it out of the
 * users' namespaces and lets an operator grant the worker role exactly
 * `USAGE ON SCHEMA specql` and `INSERT, SELECT, DELETE ON specql.run_log`.
 * It is planned like every other object (created, marked, never dropped: it
 * is shared like a schema), and only when the specs give the worker
 * something to run.
 */
import type { EntitySpec } from '../spec/model';
import type { DbObject, IndexObject, SchemaObject, TableObject } from '../model/objects';

export const RUN_LOG_SCHEMA = 'specql';
export const RUN_LOG_TABLE = 'run_log';
export const RUN_LOG_INDEX = 'run_log_task_target_started';

/** Does anything in these entities need running (a queue, a view, a partitioned table)? */
export function needsWorker(entities: readonly EntitySpec[]): boolean {
  return entities.some(
    (e) =>
      e.partitioning !== null ||
      e.materializedView !== null ||
      e.actions.some((a) => a.kind === 'workflow' && a.hints.asyncExecution),
  );
}

export function runLogObjects(): DbObject[] {
  const schema: SchemaObject = { kind: 'schema', name: RUN_LOG_SCHEMA };
  const text = (name: string, notNull: boolean) => ({ name, type: 'text', notNull, default: null, identity: false });
  const table: TableObject = {
    kind: 'table',
    schema: RUN_LOG_SCHEMA,
    name: RUN_LOG_TABLE,
    columns: [
      { name: 'id', type: 'bigint', notNull: true, default: null, identity: true },
      // drain | refresh | maintain | cache
      text('task', true),
      // the queue, view or table, `<schema>.<name>`
      text('target', true),
      { name: 'started_at', type: 'timestamp with time zone', notNull: true, default: null, identity: false },
      { name: 'finished_at', type: 'timestamp with time zone', notNull: true, default: null, identity: false },
      { name: 'rows', type: 'bigint', notNull: false, default: null, identity: false },
      text('error', false),
      text('detail', false),
      // host:pid of the worker (or `specql maintain`)
      text('worker', true),
    ],
    constraints: [{ name: `${RUN_LOG_TABLE}_pkey`, kind: 'primary_key', columns: ['id'] }],
    partitionBy: null,
    entity: null,
    role: 'run_log',
  };
  const index: IndexObject = {
    kind: 'index',
    schema: RUN_LOG_SCHEMA,
    name: RUN_LOG_INDEX,
    table: { schema: RUN_LOG_SCHEMA, name: RUN_LOG_TABLE },
    method: 'btree',
    columns: [
      { column: 'task', descending: false, opclass: null },
      { column: 'target', descending: false, opclass: null },
      { column: 'started_at', descending: true, opclass: null },
    ],
    unique: false,
    with: {},
    partitioned: false,
  };
  return [schema, table, index];
}

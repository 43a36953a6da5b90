/**
 * The steps that make a change of the writer path atomic for writers (see
 * src/plan/writers.ts): the source table locked against writes first, and a
 * queue that is going away drained into the metrics before it goes.
 */
import { qualify } from '../model/ident';
import type { FunctionObject, QualifiedName } from '../model/objects';
import type { PlanStep } from '../model/step';
import { tableAndPartitions, type RenderContext } from './context';
import { locksOn, relationName, step } from './step';

/**
 * `LOCK TABLE source IN EXCLUSIVE MODE`: readers go on, writers wait until the
 * transaction commits. Taken first, it orders this transaction's locks like a
 * writer's (source table, then the queue and the metric tables its trigger
 * writes), so the two cannot deadlock; and no writer is half-way through an
 * INSERT whose trigger would replan against a queue or function changed under it.
 * On a partitioned table LOCK recurses to every partition (direct inserts into a
 * partition wait too).
 */
export function lockSourceForWriters(context: RenderContext, source: QualifiedName, object: string, group: string, why: string): PlanStep {
  return step({
    sql: `LOCK TABLE ${qualify(source.schema, source.name)} IN EXCLUSIVE MODE;`,
    object,
    action: 'lock',
    group,
    description: `lock ${relationName(source)} against writes (reads continue) while ${why} change together`,
    locks: locksOn(tableAndPartitions(context, source), 'EXCLUSIVE'),
  });
}

/**
 * Runs the live queue processor over everything queued, in the same
 * transaction that then drops the queue: with writers locked out, that is
 * every row still waiting, so none is lost. One call: `p_batch_size` is only a
 * per-call limit.
 */
export function drainQueueBeforeDrop(queue: QualifiedName, processor: FunctionObject, object: string, group: string): PlanStep {
  return step({
    sql: `SELECT ${qualify(processor.schema, processor.name)}(2147483647);`,
    object,
    action: 'drain',
    group,
    description: `drain ${relationName(queue)} into the metrics with ${processor.name} before it is dropped`,
  });
}

/** How long the retire step waits for statements that started before the switch (then fails naming them). */
export const OLD_STATEMENT_WAIT_MS = 60_000;

/**
 * Waits until every statement that was already running in this database when
 * this transaction began has ended. A function call that started before the
 * switch committed runs the body it compiled then (plpgsql compiles at call
 * time): the old bulk function may still be about to insert into a queue
 * column the switch no longer uses. Only once those statements are gone may
 * what the old path wrote to be dropped. Takes no locks (pg_stat_activity is
 * re-read every 50 ms); fails with SQLSTATE 55006 naming the pids after
 * OLD_STATEMENT_WAIT_MS — the switch is committed by then, and the next apply
 * plans the remaining drops again.
 */
export function waitForOlderStatements(object: string, group: string, why: string): PlanStep {
  const seconds = OLD_STATEMENT_WAIT_MS / 1000;
  return step({
    sql: [
      'DO $wait$',
      'DECLARE',
      '  v_started timestamptz := pg_catalog.transaction_timestamp();',
      '  v_pids text;',
      'BEGIN',
      '  LOOP',
      '    PERFORM pg_catalog.pg_stat_clear_snapshot();',
      '    SELECT pg_catalog.string_agg(a.pid::text, \', \') INTO v_pids',
      '      FROM pg_catalog.pg_stat_activity a',
      '     WHERE a.datname = pg_catalog.current_database() AND a.pid <> pg_catalog.pg_backend_pid()',
      "       AND a.state IN ('active', 'fastpath function call') AND a.query_start < v_started;",
      '    EXIT WHEN v_pids IS NULL;',
      `    IF pg_catalog.clock_timestamp() > v_started + interval '${seconds} seconds' THEN`,
      `      RAISE EXCEPTION 'statements older than the writer-path switch still run after ${seconds} s (pids %)', v_pids`,
      "        USING ERRCODE = '55006', HINT = 'the switch is committed; apply again once they end (or end them) to drop what the old path used';",
      '    END IF;',
      '    PERFORM pg_catalog.pg_sleep(0.05);',
      '  END LOOP;',
      'END',
      '$wait$;',
    ].join('\n'),
    object,
    action: 'wait',
    group,
    description: `wait for statements that started before the switch to end (a call of the old function may still write them), then ${why}`,
    statementTimeoutMs: OLD_STATEMENT_WAIT_MS + 30_000,
  });
}

/** Reading and writing `specql.run_log` (see src/desired/run-log.ts for why it exists and where). */
import type { Client } from 'pg';
import { qualify } from '../model/ident';
import { RUN_LOG_SCHEMA, RUN_LOG_TABLE } from '../desired/run-log';

export const RUN_LOG = qualify(RUN_LOG_SCHEMA, RUN_LOG_TABLE);

export type RunTask = 'drain' | 'refresh' | 'maintain' | 'cache';

export interface RunRecord {
  readonly task: RunTask;
  readonly target: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly rows: number | null;
  readonly error: string | null;
  readonly detail: string | null;
  readonly worker: string;
}

export async function recordRun(client: Client, run: RunRecord): Promise<void> {
  await client.query(
    `INSERT INTO ${RUN_LOG} (task, target, started_at, finished_at, rows, error, detail, worker)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [run.task, run.target, run.startedAt, run.finishedAt, run.rows, run.error, run.detail, run.worker],
  );
}

/** When the last successful run of a task started, or null. */
export async function lastSuccess(client: Client, task: RunTask, target: string): Promise<Date | null> {
  const { rows } = await client.query(
    `SELECT started_at FROM ${RUN_LOG} WHERE task = $1 AND target = $2 AND error IS NULL ORDER BY started_at DESC LIMIT 1`,
    [task, target],
  );
  return rows.length === 0 ? null : (rows[0].started_at as Date);
}

/**
 * Drops runs older than `keepDays`, but always keeps the latest successful run of each
 * task and target: `status` measures staleness from it, even for a weekly view.
 */
export async function pruneRuns(client: Client, keepDays: number): Promise<number> {
  const { rowCount } = await client.query(
    `DELETE FROM ${RUN_LOG} r
     WHERE r.started_at < now() - make_interval(days => $1)
       AND r.id NOT IN (
         SELECT DISTINCT ON (task, target) id FROM ${RUN_LOG}
         WHERE error IS NULL ORDER BY task, target, started_at DESC
       )`,
    [keepDays],
  );
  return rowCount ?? 0;
}

/** Progress of long CONCURRENTLY builds, polled once a second from a second
 *  connection (the applying session is busy running the build). */
import type { Client } from 'pg';
import { connect } from '../db/connection';

export interface ProgressMonitor {
  stop(): Promise<void>;
}

export async function watchIndexBuild(url: string, pid: number, label: string, onProgress: (msg: string) => void, everyMs = 1000): Promise<ProgressMonitor> {
  let client: Client | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let last = '';
  const tick = async (): Promise<void> => {
    if (stopped) return;
    try {
      client ??= await connect(url, 'specql-progress');
      const { rows } = await client.query(
        `SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total, partitions_done, partitions_total
           FROM pg_stat_progress_create_index WHERE pid = $1`,
        [pid],
      );
      const r = rows[0];
      if (r) {
        const pct = Number(r.blocks_total) > 0 ? ` ${Math.round((100 * Number(r.blocks_done)) / Number(r.blocks_total))}% of blocks` : '';
        const tuples = Number(r.tuples_total) > 0 ? ` ${r.tuples_done}/${r.tuples_total} tuples` : '';
        const msg = `${label}: ${r.phase}${pct}${tuples}`;
        if (msg !== last) onProgress(msg);
        last = msg;
      }
    } catch {
      // Progress is best effort; the build itself reports its own errors.
    }
    if (!stopped) timer = setTimeout(() => void tick(), everyMs);
  };
  timer = setTimeout(() => void tick(), everyMs);
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (client) await client.end().catch(() => undefined);
    },
  };
}

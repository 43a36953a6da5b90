/** Exact SQL first, then run on PostgreSQL (kysely habit): the online forms as text. */
import { applyDesired, planDesired } from '../../src/engine';
import { formatPlanJson } from '../../src/plan/format/json';
import { formatPlanMarkdown } from '../../src/plan/format/markdown';
import { gatePlan } from '../../src/plan/gate';
import { col, monthly, state, table } from '../support/desired-builder';
import { createTestDatabase, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('sql');
});
afterAll(async () => {
  await db.drop();
});

test('NOT NULL on a populated column: check NOT VALID, validate, set, drop check, none scanning under ACCESS EXCLUSIVE', async () => {
  const t = table('q', 't', [col('id', 'integer'), col('a', 'text')]);
  await applyDesired(state([t]), { databaseUrl: db.url });
  await db.pool.query(`INSERT INTO q.t SELECT g, 'x' FROM generate_series(1, 100) g`);
  const to = state([table('q', 't', [col('id', 'integer'), col('a', 'text', { notNull: true }), col('b', 'numeric(12,2)', { default: '0' })])]);
  const plan = await planDesired(to, { databaseUrl: db.url });
  expect(plan.steps.map((s) => [s.sql, s.lock, s.transactional])).toEqual([
    ['ALTER TABLE q.t DROP CONSTRAINT IF EXISTS t_a_not_null;', 'ACCESS EXCLUSIVE', true],
    ['ALTER TABLE q.t ADD CONSTRAINT t_a_not_null CHECK (a IS NOT NULL) NOT VALID;', 'ACCESS EXCLUSIVE', true],
    ['ALTER TABLE q.t VALIDATE CONSTRAINT t_a_not_null;', 'SHARE UPDATE EXCLUSIVE', true],
    ['ALTER TABLE q.t ALTER COLUMN a SET NOT NULL;', 'ACCESS EXCLUSIVE', true],
    ['ALTER TABLE q.t DROP CONSTRAINT t_a_not_null;', 'ACCESS EXCLUSIVE', true],
    ['ALTER TABLE q.t ADD COLUMN b numeric(12,2) DEFAULT 0;', 'ACCESS EXCLUSIVE', true],
    ["COMMENT ON TABLE q.t IS 'specql:entity=E;columns=id,a,b';", 'SHARE UPDATE EXCLUSIVE', true],
  ]);
  expect(plan.steps.every((s) => s.lockTimeoutMs === 2000)).toBe(true);
  await applyDesired(to, { databaseUrl: db.url });
  expect((await planDesired(to, { databaseUrl: db.url })).steps).toEqual([]);
});

test('a new partition with a DEFAULT partition: rows moved in one transaction', async () => {
  const t = table('q2', 'm', [col('id', 'integer', { notNull: true }), col('at', 'timestamp with time zone', { notNull: true })], {
    partitionBy: { strategy: 'range', column: 'at' },
  });
  await applyDesired(state([t, ...monthly({ schema: 'q2', name: 'm' }, '2024-01', 1)]), { databaseUrl: db.url });
  const to = state([t, ...monthly({ schema: 'q2', name: 'm' }, '2024-01', 2)]);
  const plan = await planDesired(to, { databaseUrl: db.url });
  expect(plan.steps.map((s) => s.sql)).toEqual([
    'LOCK TABLE q2.m IN EXCLUSIVE MODE;',
    'LOCK TABLE q2.m_default IN ACCESS EXCLUSIVE MODE;',
    'CREATE TABLE q2.m_p2024_02 (LIKE q2.m INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE);',
    "WITH moved AS (\n  DELETE FROM q2.m_default\n  WHERE at >= '2024-02-01 00:00:00+00' AND at < '2024-03-01 00:00:00+00'\n  RETURNING id, at\n)\nINSERT INTO q2.m_p2024_02 (id, at) SELECT id, at FROM moved;",
    "ALTER TABLE q2.m ATTACH PARTITION q2.m_p2024_02\n    FOR VALUES FROM ('2024-02-01 00:00:00+00') TO ('2024-03-01 00:00:00+00');",
  ]);
  expect(new Set(plan.steps.map((s) => s.group)).size).toBe(1);
  await applyDesired(to, { databaseUrl: db.url });
  expect((await planDesired(to, { databaseUrl: db.url })).steps).toEqual([]);
});

test('a write that arrives while a partition is carved out of DEFAULT waits, then lands in the new partition', async () => {
  const t = table('q4', 'w', [col('id', 'integer', { notNull: true }), col('at', 'timestamp with time zone', { notNull: true })], {
    partitionBy: { strategy: 'range', column: 'at' },
  });
  await applyDesired(state([t, ...monthly({ schema: 'q4', name: 'w' }, '2024-01', 1)]), { databaseUrl: db.url });
  await db.pool.query(`INSERT INTO q4.w VALUES (1, '2024-02-10 00:00:00+00')`);
  const plan = await planDesired(state([t, ...monthly({ schema: 'q4', name: 'w' }, '2024-01', 2)]), { databaseUrl: db.url });
  // Run the move's transaction by hand so a writer can be started in the middle of it.
  const mover = await db.pool.connect();
  const writer = await db.pool.connect();
  try {
    await mover.query('BEGIN');
    const [last, ...before] = [...plan.steps].reverse();
    for (const step of before.reverse()) await mover.query(step.sql);
    const write = writer.query(`INSERT INTO q4.w VALUES (2, '2024-02-20 00:00:00+00')`).then(
      () => null,
      (err: Error) => err,
    );
    // The writer must be waiting on our lock before the attach commits.
    for (let i = 0; i < 100; i++) {
      const { rows } = await db.pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO q4.w%'`,
      );
      if (rows[0].n > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await mover.query(last!.sql);
    await mover.query('COMMIT');
    expect(await write).toBeNull();
    const { rows } = await db.pool.query(`SELECT tableoid::regclass::text AS part, id FROM q4.w ORDER BY id`);
    expect(rows).toEqual([
      { part: 'q4.w_p2024_02', id: 1 },
      { part: 'q4.w_p2024_02', id: 2 },
    ]);
  } finally {
    mover.release();
    writer.release();
  }
});

test('formats and the gate: json for machines, markdown for a PR, refusal names step and hazard', async () => {
  const t = table('q3', 'g', [col('id', 'integer'), col('a', 'text')]);
  await applyDesired(state([t]), { databaseUrl: db.url });
  const plan = await planDesired(state([table('q3', 'g', [col('id', 'bigint')])]), { databaseUrl: db.url });
  const json = JSON.parse(formatPlanJson(plan));
  expect(json.changes).toBe(true);
  expect(json.steps[0]).toMatchObject({ index: 1, object: 'table:q3.g', transactional: true, lockTimeoutMs: 2000 });
  expect(json.steps.flatMap((s: { hazards: { code: string }[] }) => s.hazards.map((h) => h.code))).toEqual(expect.arrayContaining(['rewrites_table', 'deletes_data']));
  const md = formatPlanMarkdown(plan);
  expect(md).toContain('| # | Step | Lock | Mode | Hazards |');
  expect(md).toContain('**needs approval:** `deletes_data`, `rewrites_table`');
  expect(md).toContain('```sql\n-- 1.');
  const gate = gatePlan(plan, ['rewrites_table']);
  expect(gate.ok).toBe(false);
  expect(gate.message).toMatch(/step \d: drop column q3\.g\.a \(removed from the spec\)\n    deletes_data: /);
  expect(gatePlan(plan, ['rewrites_table', 'deletes_data']).ok).toBe(true);
});

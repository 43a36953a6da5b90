/**
 * Acceptance cases as data (pg-schema-diff style): each case applies `from`,
 * runs its setup SQL, plans `to`, checks the plan's hazard codes, applies it
 * (first refused when it carries blocking hazards, then allowed by name),
 * and re-plans: the second plan must be empty. Both plans run through the
 * lock-measuring executor: every relation lock a statement takes must be one
 * its step declares (test/support/measure-locks.ts).
 */
import { sql } from '../support/sql';
import { applyDesired, HazardsRefusedError, planDesired } from '../../src/engine';
import type { DbObject } from '../../src/model/objects';
import { formatPlanText } from '../../src/plan/format/text';
import { BLOCKING_HAZARDS, type HazardCode } from '../../src/model/step';
import { col, fn, index, monthly, state, table, trigger, view } from '../support/desired-builder';
import { createTestDatabase, query, type TestDatabase } from '../support/db';
import type { Pool } from 'pg';
import type { Plan } from '../../src/plan/types';
import { readCatalog } from '../../src/catalog/read';
import { connect } from '../../src/db/connection';
import { gatePlan } from '../../src/plan/gate';
import { executeMeasuringLocks } from '../support/measure-locks';

interface Case {
  readonly name: string;
  readonly from: (s: string) => DbObject[];
  readonly setup?: (s: string) => string[];
  readonly to: (s: string) => DbObject[];
  readonly hazards: HazardCode[];
  readonly retention?: boolean;
  readonly check?: (pool: Pool, s: string) => Promise<void>;
  /** Checks on the plan itself (before it is applied). */
  readonly planCheck?: (plan: Plan) => void;
}

const base = (s: string) => table(s, 't', [col('id', 'integer', { notNull: true }), col('a', 'text'), col('n', 'numeric(10,2)')], {
  constraints: [{ name: 't_pkey', kind: 'primary_key', columns: ['id'] }],
});
const parted = (s: string) =>
  table(s, 'm', [col('id', 'integer', { notNull: true }), col('at', 'timestamp with time zone', { notNull: true }), col('v', 'text')], {
    constraints: [{ name: 'm_pkey', kind: 'primary_key', columns: ['id', 'at'] }],
    partitionBy: { strategy: 'range', column: 'at' },
  });
/** `parted` with a column default: partitions must carry it too (direct inserts into a partition). */
const partedDef = (s: string) => ({ ...parted(s), columns: parted(s).columns.map((c) => (c.name === 'v' ? col('v', 'text', { default: `'pending'` }) : c)) });
const directInsert = async (pool: Pool, partition: string): Promise<unknown> =>
  (await query<{ v: string }>(pool, `INSERT INTO ${partition} (id, at) SELECT 900001, lower_at FROM (SELECT (regexp_match(pg_get_expr(relpartbound, oid), '''([^'']+)'''))[1]::timestamptz AS lower_at FROM pg_class WHERE oid = '${partition}'::regclass) b RETURNING v`))[0]?.v;
const datePart = (s: string) =>
  table(s, 'd', [col('id', 'integer', { notNull: true }), col('day', 'date', { notNull: true }), col('order', 'text')], {
    partitionBy: { strategy: 'range', column: 'day' },
  });
const seedT = (s: string) => [`INSERT INTO ${s}.t (id, a, n) SELECT g, 'x' || g, g FROM generate_series(1, 2000) g`];
const seedM = (s: string, months = 2) => [
  `INSERT INTO ${s}.m (id, at, v) SELECT g, timestamptz '2024-01-01 00:00:00+00' + (g % ${months * 28}) * interval '1 day', 'v' || g FROM generate_series(1, 5000) g`,
];
/** A role readers of views are granted to (roles are per cluster: created once, kept). */
const READER = 'specql_acc_reader';
const reader = (): string[] => [`DO $$ BEGIN CREATE ROLE ${READER}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`];
const body1 = '\nBEGIN\n  RETURN NULL;\nEND;\n';
const body2 = '\nBEGIN\n  PERFORM 1;\n  RETURN NULL;\nEND;\n';

const cases: Case[] = [
  {
    name: 'add a nullable field',
    from: (s) => [base(s)],
    setup: seedT,
    to: (s) => [{ ...base(s), columns: [...base(s).columns, col('b', 'text')] }],
    hazards: ['access_exclusive_lock'],
  },
  {
    name: 'field becomes NOT NULL (check NOT VALID, validate, set, drop check)',
    from: (s) => [base(s)],
    setup: seedT,
    to: (s) => [{ ...base(s), columns: base(s).columns.map((c) => (c.name === 'a' ? { ...c, notNull: true } : c)) }],
    hazards: ['access_exclusive_lock', 'may_fail_on_existing_data'],
    check: async (pool, s) => {
      const rows = await query(pool, `SELECT conname FROM pg_constraint WHERE conrelid = '${s}.t'::regclass AND contype = 'c'`);
      expect(rows).toEqual([]);
    },
  },
  {
    name: 'numeric(10,2) → numeric(12,2) is a widening without rewrite',
    from: (s) => [base(s)],
    setup: seedT,
    to: (s) => [{ ...base(s), columns: base(s).columns.map((c) => (c.name === 'n' ? { ...c, type: 'numeric(12,2)' } : c)) }],
    hazards: ['access_exclusive_lock'],
  },
  {
    name: 'integer → bigint rewrites the table (refused, then allowed)',
    from: (s) => [base(s)],
    setup: seedT,
    to: (s) => [{ ...base(s), columns: base(s).columns.map((c) => (c.name === 'id' ? { ...c, type: 'bigint' } : c)) }],
    hazards: ['rewrites_table'],
  },
  {
    name: 'numeric(10,2) → integer is lossy: deletes_data with the count of rows whose value is rounded',
    from: (s) => [base(s)],
    setup: (s) => [...seedT(s), `UPDATE ${s}.t SET n = n + 0.5 WHERE id <= 10`],
    to: (s) => [{ ...base(s), columns: base(s).columns.map((c) => (c.name === 'n' ? { ...c, type: 'integer' } : c)) }],
    hazards: ['deletes_data', 'rewrites_table'],
    planCheck: (plan) => {
      const messages = plan.steps.flatMap((st) => st.hazards.filter((h) => h.code === 'deletes_data').map((h) => h.message));
      expect(messages).toEqual([expect.stringContaining('10 current row(s) hold such values')]);
      expect(messages[0]).toContain('rounded');
    },
  },
  {
    name: 'text → varchar(3) is lossy: deletes_data with the count of values that would be cut',
    from: (s) => [base(s)],
    setup: seedT,
    to: (s) => [{ ...base(s), columns: base(s).columns.map((c) => (c.name === 'a' ? { ...c, type: 'character varying(3)' } : c)) }],
    hazards: ['deletes_data', 'rewrites_table'],
    planCheck: (plan) => {
      const messages = plan.steps.flatMap((st) => st.hazards.filter((h) => h.code === 'deletes_data').map((h) => h.message));
      // 'x1' … 'x2000': every value from 'x100' on is longer than 3 characters.
      expect(messages).toEqual([expect.stringContaining('1901 current row(s) hold such values')]);
    },
  },
  {
    name: 'removed field is dropped only when allowed (deletes_data)',
    from: (s) => [base(s)],
    setup: seedT,
    to: (s) => [{ ...base(s), columns: base(s).columns.filter((c) => c.name !== 'a') }],
    hazards: ['access_exclusive_lock', 'deletes_data'],
  },
  {
    name: 'index type changes btree → brin (new under temp name, drop old concurrently, rename)',
    from: (s) => [base(s), index(base(s), 't_n_idx', ['n'])],
    setup: seedT,
    to: (s) => [base(s), index(base(s), 't_n_idx', ['n'], { method: 'brin', with: { pages_per_range: '32' } })],
    hazards: ['index_build'],
    check: async (pool, s) => {
      const [row] = await query<{ m: string }>(pool, `SELECT am.amname AS m FROM pg_class c JOIN pg_am am ON am.oid = c.relam WHERE c.oid = '${s}.t_n_idx'::regclass`);
      expect(row!.m).toBe('brin');
    },
  },
  {
    name: 'new index on a populated partitioned table (ON ONLY + concurrently per partition + attach)',
    from: (s) => [parted(s), ...monthly({ schema: s, name: 'm' }, '2024-01', 2)],
    setup: (s) => seedM(s),
    to: (s) => [parted(s), ...monthly({ schema: s, name: 'm' }, '2024-01', 2), index(parted(s), 'm_v_idx', ['v'])],
    hazards: ['access_exclusive_lock', 'index_build'],
  },
  {
    name: 'changed index on a partitioned table',
    from: (s) => [parted(s), ...monthly({ schema: s, name: 'm' }, '2024-01', 2), index(parted(s), 'm_v_idx', ['v'])],
    setup: (s) => seedM(s),
    to: (s) => [parted(s), ...monthly({ schema: s, name: 'm' }, '2024-01', 2), index(parted(s), 'm_v_idx', ['v', 'at desc'])],
    hazards: ['access_exclusive_lock', 'index_build'],
  },
  {
    name: 'function body changes: CREATE OR REPLACE',
    from: (s) => [base(s), fn(s, 'f', body1)],
    to: (s) => [base(s), fn(s, 'f', body2)],
    hazards: [],
    check: async (pool, s) => {
      const [row] = await query<{ src: string }>(pool, `SELECT prosrc AS src FROM pg_proc WHERE oid = '${s}.f'::regproc`);
      expect(row!.src).toContain('PERFORM 1');
    },
  },
  {
    name: 'function argument default changes: CREATE OR REPLACE keeps the function (and its grants)',
    from: (s) => [base(s), fn(s, 'h', '\nSELECT n\n', { args: [{ name: 'n', type: 'integer', default: sql('1000') }], returns: 'integer', language: 'sql' })],
    to: (s) => [base(s), fn(s, 'h', '\nSELECT n\n', { args: [{ name: 'n', type: 'integer', default: sql('10000') }], returns: 'integer', language: 'sql' })],
    hazards: [],
    check: async (pool, s) => {
      const [row] = await query<{ n: number }>(pool, `SELECT ${s}.h() AS n`);
      expect(row!.n).toBe(10000);
    },
  },
  {
    name: 'function argument default removed: drop + create (CREATE OR REPLACE cannot remove one)',
    from: (s) => [base(s), fn(s, 'h', '\nSELECT n\n', { args: [{ name: 'n', type: 'integer', default: sql('1000') }], returns: 'integer', language: 'sql' })],
    to: (s) => [base(s), fn(s, 'h', '\nSELECT n\n', { args: [{ name: 'n', type: 'integer' }], returns: 'integer', language: 'sql' })],
    hazards: [],
    check: async (pool, s) => {
      const [row] = await query<{ args: string }>(pool, `SELECT pg_get_function_arguments('${s}.h'::regproc) AS args`);
      expect(row!.args).toBe('n integer');
    },
  },
  {
    name: 'function result type changes: drop + create, trigger recreated',
    from: (s) => [base(s), fn(s, 'f', body1), fn(s, 'g', '\nSELECT 1\n', { returns: 'integer', language: 'sql' }), trigger(base(s), 't_ins', fn(s, 'f', body1))],
    to: (s) => [base(s), fn(s, 'f', body1), fn(s, 'g', '\nSELECT 1::bigint\n', { returns: 'bigint', language: 'sql' }), trigger(base(s), 't_ins', fn(s, 'f', body1))],
    hazards: [],
  },
  {
    name: 'trigger function replaced by a new signature: trigger dropped and recreated',
    from: (s) => [base(s), fn(s, 'f', body1), trigger(base(s), 't_ins', fn(s, 'f', body1))],
    to: (s) => [base(s), fn(s, 'f', body2, { args: [] , returns: 'trigger', securityDefiner: true, searchPath: 'pg_catalog, pg_temp', revokePublic: true }), trigger(base(s), 't_ins', fn(s, 'f', body2), { events: ['INSERT', 'UPDATE'] })],
    hazards: ['access_exclusive_lock'],
  },
  {
    name: 'trigger moves to a renamed function: old function dropped (used by a trigger), trigger recreated',
    from: (s) => [base(s), fn(s, 'f', body1), trigger(base(s), 't_ins', fn(s, 'f', body1))],
    to: (s) => [base(s), fn(s, 'f2', body2), trigger(base(s), 't_ins', fn(s, 'f2', body2))],
    hazards: ['access_exclusive_lock', 'drops_function_used_by_others'],
    check: async (pool, s) => {
      expect(await query(pool, `SELECT to_regproc('${s}.f') AS f`)).toEqual([{ f: null }]);
      await pool.query(`INSERT INTO ${s}.t (id) VALUES (1)`);
    },
  },
  {
    name: 'partition window rolls forward with rows in DEFAULT (moved, none lost)',
    from: (s) => [parted(s), ...monthly({ schema: s, name: 'm' }, '2024-01', 1), index(parted(s), 'm_v_idx', ['v'])],
    setup: (s) => seedM(s, 3),
    to: (s) => [parted(s), ...monthly({ schema: s, name: 'm' }, '2024-01', 3), index(parted(s), 'm_v_idx', ['v'])],
    hazards: ['access_exclusive_lock', 'moves_rows'],
    check: async (pool, s) => {
      const rows = await query<{ p: string; n: string }>(pool, `SELECT tableoid::regclass::text AS p, count(*) AS n FROM ${s}.m GROUP BY 1 ORDER BY 1`);
      const total = rows.reduce((a, r) => a + Number(r.n), 0);
      expect(total).toBe(5000);
      expect(rows.find((r) => r.p.endsWith('m_default'))).toBeUndefined();
      expect(rows.map((r) => r.p.replace(/^.*\./, ''))).toEqual(['m_p2024_01', 'm_p2024_02', 'm_p2024_03']);
    },
  },
  {
    name: 'a partition whose column default differs from its table\'s is drift the plan repairs',
    from: (s) => [partedDef(s), ...monthly({ schema: s, name: 'm' }, '2024-01', 2)],
    setup: (s) => [...seedM(s), `ALTER TABLE ${s}.m_p2024_01 ALTER COLUMN v DROP DEFAULT`],
    to: (s) => [partedDef(s), ...monthly({ schema: s, name: 'm' }, '2024-01', 2)],
    hazards: ['access_exclusive_lock'],
    planCheck: (plan) => expect(plan.steps.map((st) => st.description)).toEqual([expect.stringMatching(/^set default of acc_\d+\.m_p2024_01\.v like its table's/)]),
    check: async (pool, s) => expect(await directInsert(pool, `${s}.m_p2024_01`)).toBe('pending'),
  },
  {
    name: 'partitions carved out of DEFAULT keep the column defaults (direct inserts get them)',
    from: (s) => [partedDef(s), ...monthly({ schema: s, name: 'm' }, '2024-01', 1)],
    setup: (s) => seedM(s, 3),
    to: (s) => [partedDef(s), ...monthly({ schema: s, name: 'm' }, '2024-01', 3)],
    hazards: ['access_exclusive_lock', 'moves_rows'],
    check: async (pool, s) => {
      expect(await directInsert(pool, `${s}.m_p2024_02`)).toBe('pending');
      expect(await directInsert(pool, `${s}.m_p2024_03`)).toBe('pending');
    },
  },
  {
    name: 'a date partition key (not timestamptz) rolls forward the same way, with a quoted column name',
    from: (s) => [{ ...datePart(s) }, ...monthly({ schema: s, name: 'd' }, '2024-01', 1)],
    setup: (s) => [`INSERT INTO ${s}.d SELECT g, date '2024-01-01' + (g % 60), 'x' FROM generate_series(1, 600) g`],
    to: (s) => [{ ...datePart(s) }, ...monthly({ schema: s, name: 'd' }, '2024-01', 2), index(datePart(s), 'd_order_idx', ['order'])],
    hazards: ['access_exclusive_lock', 'index_build', 'moves_rows'],
    check: async (pool, s) => {
      const [row] = await query<{ n: string }>(pool, `SELECT count(*) AS n FROM ${s}.d_p2024_02`);
      expect(Number(row!.n)).toBe(290);
    },
  },
  {
    name: 'partitions older than retention are detached into the archive schema',
    from: (s) => [parted(s), ...monthly({ schema: s, name: 'm' }, '2024-01', 3)],
    setup: (s) => seedM(s, 3),
    to: (s) => [parted(s), ...monthly({ schema: s, name: 'm' }, '2024-02', 2)],
    retention: true,
    hazards: ['access_exclusive_lock', 'detaches_partition'],
    check: async (pool, s) => {
      const [live] = await query<{ n: string }>(pool, `SELECT count(*) AS n FROM ${s}.m`);
      const [archived] = await query<{ n: string }>(pool, `SELECT count(*) AS n FROM ${s}_archive.m_p2024_01`);
      expect(Number(live!.n) + Number(archived!.n)).toBe(5000);
      expect(Number(archived!.n)).toBeGreaterThan(0);
    },
  },
  {
    name: 'view definition changes: built beside, swapped in one transaction',
    from: (s) => [base(s), view(s, 'v', `SELECT id, a FROM ${s}.t`, ['id'])],
    setup: seedT,
    to: (s) => [base(s), view(s, 'v', `SELECT id, a, n FROM ${s}.t WHERE id > 10`, ['id'])],
    hazards: ['access_exclusive_lock', 'view_rebuild'],
    check: async (pool, s) => {
      const [row] = await query<{ n: string }>(pool, `SELECT count(*) AS n FROM ${s}.v`);
      expect(Number(row!.n)).toBe(1990);
    },
  },
  {
    name: 'a field a materialized view reads changes type (integer → bigint): the view is put aside, the column retyped, the view rebuilt with its grants',
    from: (s) => [base(s), view(s, 'v', `SELECT id, a, n FROM ${s}.t`, ['id'])],
    setup: (s) => [...seedT(s), ...reader(), `GRANT SELECT ON ${s}.v TO ${READER}`],
    to: (s) => [{ ...base(s), columns: base(s).columns.map((c) => (c.name === 'id' ? { ...c, type: 'bigint' } : c)) }, view(s, 'v', `SELECT id, a, n FROM ${s}.t`, ['id'])],
    hazards: ['access_exclusive_lock', 'rewrites_table', 'view_rebuild'],
    check: async (pool, s) => {
      const [row] = await query<{ n: string; type: string; readable: boolean; kind: string }>(
        pool,
        `SELECT (SELECT count(*) FROM ${s}.v) AS n, format_type(a.atttypid, a.atttypmod) AS type, c.relkind::text AS kind,
                has_table_privilege('${READER}', c.oid, 'SELECT') AS readable
           FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id' WHERE c.oid = '${s}.v'::regclass`,
      );
      expect(row).toEqual({ n: '2000', type: 'bigint', readable: true, kind: 'm' });
      expect(await query(pool, `SELECT relname FROM pg_class WHERE relnamespace = '${s}'::regnamespace AND relname LIKE '%specql%'`)).toEqual([]);
    },
  },
  {
    name: 'a field a materialized view reads is removed: the view is rebuilt without it first, then the column dropped',
    from: (s) => [base(s), view(s, 'v', `SELECT id, a, n FROM ${s}.t`, ['id'])],
    setup: (s) => [...seedT(s), ...reader(), `GRANT SELECT ON ${s}.v TO ${READER}`],
    to: (s) => [{ ...base(s), columns: base(s).columns.filter((c) => c.name !== 'n') }, view(s, 'v', `SELECT id, a FROM ${s}.t`, ['id'])],
    hazards: ['access_exclusive_lock', 'deletes_data', 'view_rebuild'],
    check: async (pool, s) => {
      const [row] = await query<{ n: string; readable: boolean }>(pool, `SELECT (SELECT count(*) FROM ${s}.v) AS n, has_table_privilege('${READER}', '${s}.v', 'SELECT') AS readable`);
      expect(row).toEqual({ n: '2000', readable: true });
    },
  },
];

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('acceptance');
});
afterAll(async () => {
  await db.drop();
});

test.each(cases.map((c, i) => [c.name, i] as const))('%s', async (_name, i) => {
  const c = cases[i]!;
  const s = `acc_${i}`;
  const opts = { databaseUrl: db.url };
  const window = c.retention
    ? { partitionWindow: { interval: 'monthly', from: '', to: '', premake: 1, retention: 2, retentionCutoff: '2024-02-01T00:00:00Z', archiveSchema: `${s}_archive` } }
    : {};
  expect(await executeMeasuringLocks(db.url, await planDesired(state(c.from(s)), opts))).toEqual([]);
  for (const sql of c.setup?.(s) ?? []) await db.pool.query(sql);
  await db.pool.query(`ANALYZE`);
  const to = state(c.to(s), 'E', window);
  const plan = await planDesired(to, opts);
  const codes = [...new Set(plan.hazards.map((h) => h.code))].sort();
  if (JSON.stringify(codes) !== JSON.stringify([...c.hazards].sort())) console.log(formatPlanText(plan));
  expect(codes).toEqual([...c.hazards].sort());
  c.planCheck?.(plan);
  const blocking = c.hazards.filter((h) => BLOCKING_HAZARDS.has(h));
  if (blocking.length) {
    await expect(applyDesired(to, opts)).rejects.toBeInstanceOf(HazardsRefusedError);
  }
  expect(gatePlan(plan, blocking).ok).toBe(true);
  expect(await executeMeasuringLocks(db.url, plan)).toEqual([]);
  const again = await planDesired(to, opts);
  if (again.steps.length) console.log(formatPlanText(again));
  expect(again.steps).toEqual([]);
  const invalid = await query(db.pool, `SELECT indexrelid::regclass::text AS i FROM pg_index WHERE NOT indisvalid`);
  expect(invalid).toEqual([]);
  await c.check?.(db.pool, s);
  // The migrated schema must read back exactly like the same spec applied to an empty schema.
  const fresh = `${s}_fresh`;
  await applyDesired(state(c.to(fresh), 'E', c.retention ? { partitionWindow: { ...window.partitionWindow!, archiveSchema: `${fresh}_archive` } } : {}), opts);
  expect(await catalogOf(fresh, s)).toEqual(await catalogOf(s, s));
});

/** The live objects of a schema (and its partitions' column defaults) as sorted JSON, with the schema renamed to `as`. */
async function catalogOf(schema: string, as: string): Promise<string[]> {
  const client = await connect(db.url);
  try {
    const live = await readCatalog(client, [schema]);
    const defaults = [...live.partitionDefaults].map(([key, columns]) => JSON.stringify([key, [...columns]]));
    return [...live.objects.map((o) => JSON.stringify(o)), ...defaults].map((text) => text.split(schema).join(as)).sort();
  } finally {
    await client.end();
  }
}

test('a partitioned index changed twice, then back: every rebuild converges (child names never collide)', async () => {
  const s = 'acc_twice';
  const opts = { databaseUrl: db.url };
  const parts = monthly({ schema: s, name: 'm' }, '2024-01', 2);
  const shapes = [['v'], ['v', 'at desc'], ['at', 'v'], ['v']];
  for (const [i, cols] of shapes.entries()) {
    const desired = state([parted(s), ...parts, index(parted(s), 'm_v_idx', cols)]);
    await applyDesired(desired, opts);
    if (i === 0) for (const sql of seedM(s)) await db.pool.query(sql);
    expect((await planDesired(desired, opts)).steps).toEqual([]);
  }
  const children = await query<{ i: string }>(db.pool, `SELECT c.relname AS i FROM pg_inherits JOIN pg_class c ON c.oid = inhrelid WHERE inhparent = '${s}.m_v_idx'::regclass ORDER BY 1`);
  expect(children.map((c) => c.i)).toEqual(['m_default_m_v_idx', 'm_p2024_01_m_v_idx', 'm_p2024_02_m_v_idx']);
});

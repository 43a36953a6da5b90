/**
 * The hostile-spec corpus (./hostile-corpus.ts), end to end.
 *
 * Refused cases: exactly the expected errors, each at the line and column of
 * the offending text in the YAML source, with its message and a hint.
 *
 * Harmless cases: the spec validates, is applied to a real PostgreSQL by the
 * engine, and is exercised — a plain INSERT into the source table, the bulk
 * function, the queue processor, the view's refresh function. Then it is
 * proved that nothing but the intended statements ran:
 *  - a sentinel table (shop.audit_log, in the spec's own schema) keeps its
 *    rows, and a trigger on it recorded no write at all (INSERT, UPDATE,
 *    DELETE, TRUNCATE);
 *  - event triggers recorded every DDL command (ddl_command_end) and every
 *    dropped object (sql_drop): while applying, only the plan's own kinds of
 *    statement on the plan's own objects; while exercising, only the view's
 *    refresh; nothing was dropped;
 *  - the roles are the same as before;
 *  - every generated function is SECURITY DEFINER with search_path pinned;
 *  - planning again gives no step (every default converges).
 */
import type { Pool } from 'pg';
import { hasErrors, type Diagnostic } from '../../src/diagnostics/diagnostic';
import { generationDiagnostics } from '../../src/desired/check';
import { partitionIndexName } from '../../src/desired/naming';
import { applySpecs, desiredFor, planSpecs } from '../../src/engine';
import { loadExpressionParser } from '../../src/model/expression';
import type { DbObject } from '../../src/model/objects';
import { loadSpecSources } from '../../src/spec/load';
import type { SpecSet } from '../../src/spec/model';
import { createTestDatabase, query } from '../support/db';
import { buildSpec, HOSTILE_CASES, SLOTS, type Slot } from './hostile-corpus';

const FILE = 'hostile.yaml';
const TODAY = '2024-03-15';

beforeAll(() => loadExpressionParser());

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function validate(text: string): { specs: SpecSet; diagnostics: Diagnostic[] } {
  const { specs, diagnostics } = loadSpecSources([{ file: FILE, text }]);
  if (hasErrors(diagnostics)) return { specs, diagnostics };
  return { specs, diagnostics: [...diagnostics, ...generationDiagnostics(specs)] };
}

const refused = HOSTILE_CASES.filter((c) => c.refused);
const harmless = HOSTILE_CASES.filter((c) => !c.refused);

test('the corpus covers every place a spec carries text, with at least 40 cases', () => {
  expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(40);
  const covered = new Set(HOSTILE_CASES.map((c) => c.slot));
  for (const slot of [...Object.keys(SLOTS), 'actions']) expect([slot, covered.has(slot as Slot)]).toEqual([slot, true]);
});

describe('refused at the offending text', () => {
  test.each(refused.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const { text, payloadAt } = buildSpec(c);
    const errors = validate(text).diagnostics.filter((d) => d.severity === 'error');
    const expected = c.refused!.map((r) => {
      const [within, base] = r.elsewhere ? [text, 0] : [c.payload, payloadAt];
      let index = -1;
      for (let n = 0; n < (r.occurrence ?? 1); n++) index = within.indexOf(r.at, index + 1);
      if (index < 0) throw new Error(`"${r.at}" is not in the ${r.elsewhere ? 'spec' : 'payload'} of "${c.name}"`);
      return { code: r.code, file: FILE, ...lineColumn(text, base + index) };
    });
    expect(errors.map((d) => ({ code: d.code, file: d.at?.file, line: d.at?.line, column: d.at?.column }))).toEqual(expected);
    errors.forEach((d, i) => {
      expect(d.message).toMatch(c.refused![i]!.message);
      expect(d.hint ?? '').not.toBe('');
    });
  });
});

// ---------------------------------------------------------------------------
// Harmless cases: applied and exercised on a real PostgreSQL.

const SENTINEL_ROWS = [
  [1, 'first'],
  [2, 'second'],
  [3, 'third'],
];

/** The sentinel, the write log on it, and the event triggers recording every DDL command and drop. */
async function arm(pool: Pool): Promise<void> {
  await pool.query(`
    CREATE SCHEMA vault;
    CREATE TABLE vault.ddl_log (id bigserial PRIMARY KEY, phase text NOT NULL, tag text, object_type text, identity text);
    CREATE TABLE vault.writes (id bigserial PRIMARY KEY, op text NOT NULL, relation text NOT NULL);
    CREATE FUNCTION vault.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
    DECLARE r record;
    BEGIN
      FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
        INSERT INTO vault.ddl_log (phase, tag, object_type, identity) VALUES ('end', r.command_tag, r.object_type, r.object_identity);
      END LOOP;
    END $$;
    CREATE FUNCTION vault.log_drop() RETURNS event_trigger LANGUAGE plpgsql AS $$
    DECLARE r record;
    BEGIN
      FOR r IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
        INSERT INTO vault.ddl_log (phase, tag, object_type, identity) VALUES ('drop', tg_tag, r.object_type, r.object_identity);
      END LOOP;
    END $$;
    CREATE FUNCTION vault.log_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO vault.writes (op, relation) VALUES (TG_OP, TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
      RETURN NULL;
    END $$;
    CREATE SCHEMA shop;
    CREATE TABLE shop.audit_log (id integer PRIMARY KEY, note text NOT NULL);
    INSERT INTO shop.audit_log VALUES ${SENTINEL_ROWS.map(([id, note]) => `(${id}, '${note}')`).join(', ')};
    CREATE TRIGGER audit_log_writes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shop.audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION vault.log_write();
    CREATE EVENT TRIGGER vault_ddl ON ddl_command_end EXECUTE FUNCTION vault.log_ddl();
    CREATE EVENT TRIGGER vault_drop ON sql_drop EXECUTE FUNCTION vault.log_drop();
  `);
}

interface DdlRow {
  readonly phase: string;
  readonly tag: string;
  readonly object_type: string;
  readonly identity: string | null;
}

const ddlSince = async (pool: Pool, after: number): Promise<DdlRow[]> =>
  query<DdlRow>(pool, 'SELECT phase, tag, object_type, identity FROM vault.ddl_log WHERE id > $1 ORDER BY id', [after]);
const lastDdlId = async (pool: Pool): Promise<number> => Number((await query<{ n: string }>(pool, 'SELECT coalesce(max(id), 0) AS n FROM vault.ddl_log'))[0]!.n);
const roles = async (pool: Pool) => query(pool, 'SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolbypassrls FROM pg_roles ORDER BY rolname');

/**
 * Every object identity (as pg_event_trigger_ddl_commands prints it) the plan may touch:
 * its objects, the constraints' indexes and identity sequences its tables imply, and the
 * views' unique indexes, and a partitioned index's `<partition>_<index>` on each partition
 * (created by name, then attached). Functions are matched by name up to their argument list.
 */
function intendedIdentities(objects: readonly DbObject[]): { exact: Set<string>; functions: string[] } {
  const exact = new Set<string>();
  const functions: string[] = [];
  for (const o of objects) {
    switch (o.kind) {
      case 'schema':
      case 'extension':
        exact.add(o.name);
        break;
      case 'trigger':
        exact.add(`${o.name} on ${o.table.schema}.${o.table.name}`);
        break;
      case 'function':
        functions.push(`${o.schema}.${o.name}(`);
        break;
      case 'table':
        exact.add(`${o.schema}.${o.name}`);
        for (const c of o.constraints) exact.add(`${o.schema}.${c.name}`);
        for (const c of o.columns) if (c.identity) exact.add(`${o.schema}.${o.name}_${c.name}_seq`);
        break;
      case 'materialized_view':
        exact.add(`${o.schema}.${o.name}`);
        exact.add(`${o.schema}.${o.uniqueIndex.name}`);
        break;
      case 'cron_job':
        break;
      case 'index':
        exact.add(`${o.schema}.${o.name}`);
        if (o.partitioned) {
          for (const p of objects) {
            if (p.kind === 'partition' && p.parent.schema === o.table.schema && p.parent.name === o.table.name) exact.add(`${p.schema}.${partitionIndexName(p.name, o.name)}`);
          }
        }
        break;
      default:
        exact.add(`${o.schema}.${o.name}`);
    }
  }
  return { exact, functions };
}

/** The command tags a plan step's SQL gives (what ddl_command_end reports for it). */
const tagOf = (sql: string): string | null => {
  const m = /^(CREATE (?:UNIQUE )?INDEX|CREATE MATERIALIZED VIEW|CREATE TABLE|CREATE SCHEMA|CREATE EXTENSION|CREATE OR REPLACE FUNCTION|CREATE TRIGGER|ALTER INDEX|ALTER TABLE|COMMENT|REVOKE|GRANT)/.exec(sql);
  if (!m) return null;
  return m[1]!.replace('CREATE OR REPLACE FUNCTION', 'CREATE FUNCTION').replace('CREATE UNIQUE INDEX', 'CREATE INDEX');
};

const SALE = (n: number) => `00000000-0000-0000-0000-00000000000${n}`;
const PRODUCT = 'aaaaaaaa-0000-0000-0000-000000000001';

async function exercise(pool: Pool): Promise<void> {
  // A plain INSERT (status and every other default from the spec), then the bulk function.
  await pool.query(`INSERT INTO shop.sale (sale_id, product_id, amount, sold_at) VALUES ($1, $2, 10.50, '2024-02-10T12:00:00Z')`, [SALE(1), PRODUCT]);
  const rows = [
    { sale_id: SALE(2), product_id: PRODUCT, amount: 1.25, sold_at: '2024-02-11T00:00:00Z', status: 'paid' },
    { sale_id: SALE(3), product_id: PRODUCT, amount: 2.25, sold_at: '2024-03-01T00:00:00Z', status: 'paid' },
  ];
  expect((await query<{ n: number }>(pool, 'SELECT shop.bulk_sales($1::jsonb) AS n', [JSON.stringify(rows)]))[0]!.n).toBe(2);
  // The queue processor until the queue is empty.
  for (let i = 0; i < 10; i++) {
    const [{ n }] = (await query<{ n: number }>(pool, 'SELECT shop.roll_up_process(100) AS n')) as [{ n: number }];
    if (n === 0) break;
  }
  expect(Number((await query<{ n: string }>(pool, 'SELECT count(*) AS n FROM shop.roll_up_queue'))[0]!.n)).toBe(0);
  await pool.query('SELECT shop.refresh_totals_mv()');
}

describe('harmless: applied, exercised, and nothing else ran', () => {
  test.each(harmless.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const { text } = buildSpec(c);
    const { specs, diagnostics } = validate(text);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);

    const db = await createTestDatabase('hostile');
    try {
      await arm(db.pool);
      const rolesBefore = await roles(db.pool);
      const opts = { databaseUrl: db.url, today: TODAY };

      const applied = await applySpecs(specs, opts);
      const applyDdl = await ddlSince(db.pool, 0);
      // Applying: only the plan's kinds of statement, only on the plan's objects, nothing dropped.
      const desired = desiredFor(specs, opts, false).objects;
      const intended = intendedIdentities(desired);
      const tags = new Set(applied.plan.steps.map((s) => tagOf(s.sql)).filter((t): t is string => t !== null));
      // A GENERATED … AS IDENTITY column (the queue's id) creates and attaches its sequence.
      if (applied.plan.steps.some((s) => /GENERATED ALWAYS AS IDENTITY/.test(s.sql))) tags.add('CREATE SEQUENCE').add('ALTER SEQUENCE');
      expect(applyDdl.length).toBeGreaterThanOrEqual(applied.plan.steps.length - applied.plan.steps.filter((s) => tagOf(s.sql) === null).length);
      expect(applyDdl.filter((r) => r.phase === 'drop')).toEqual([]);
      for (const row of applyDdl) {
        expect([row.tag, tags.has(row.tag)]).toEqual([row.tag, true]);
        const known = row.identity === null ? row.tag === 'REVOKE' : intended.exact.has(row.identity) || intended.functions.some((f) => row.identity!.startsWith(f));
        expect([row.tag, row.identity, known]).toEqual([row.tag, row.identity, true]);
      }

      const before = await lastDdlId(db.pool);
      await exercise(db.pool);
      // Exercising: only the view's refresh (REFRESH … CONCURRENTLY drops the temporary tables it made itself).
      const exerciseDdl = (await ddlSince(db.pool, before)).filter((r) => !(r.phase === 'drop' && r.identity?.startsWith('pg_temp.')));
      expect(exerciseDdl.map((r) => [r.phase, r.tag, r.identity])).toEqual([['end', 'REFRESH MATERIALIZED VIEW', 'shop.totals_mv']]);

      // The sentinel: same rows, not one write; the roles unchanged.
      expect((await query(db.pool, 'SELECT id, note FROM shop.audit_log ORDER BY id')).map((r) => [r.id, r.note])).toEqual(SENTINEL_ROWS);
      expect(await query(db.pool, 'SELECT op, relation FROM vault.writes')).toEqual([]);
      expect(await roles(db.pool)).toEqual(rolesBefore);

      // What the workflow was meant to do, it did: three sales summed into one total.
      const [totals] = await query<{ sales: string }>(db.pool, `SELECT sales::text FROM shop.totals WHERE product_id = '${PRODUCT}'`);
      expect(totals?.sales).toBe('3');

      // Every generated function runs as its owner with search_path pinned.
      const functions = await query<{ name: string; definer: boolean; config: string[] | null }>(
        db.pool,
        `SELECT p.proname AS name, p.prosecdef AS definer, p.proconfig AS config FROM pg_proc p WHERE p.pronamespace = 'shop'::regnamespace ORDER BY 1`,
      );
      expect(functions.length).toBeGreaterThan(0);
      for (const f of functions) expect([f.name, f.definer, f.config]).toEqual([f.name, true, ['search_path=pg_catalog, pg_temp']]);

      await c.expect?.(db.pool);

      // Applied once, every default and expression converged: nothing left to plan.
      const again = await planSpecs(specs, opts);
      expect(again.plan.steps.map((s) => s.description)).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});

/**
 * Expressions in views and defaults are resolved when apply creates them. A
 * database user who may create functions in a schema on the caller's
 * search_path (public, before PostgreSQL 15) could plant an overload that
 * matches better than the built-in — `public.upper(character varying)` beats
 * `pg_catalog.upper(text)` for a varchar argument. Apply sessions pin the
 * search_path (src/db/connection.ts), and `specql sql` starts by pinning it,
 * so the built-in is what the view and the default call.
 */
import { applySpecs, planSpecs } from '../../src/engine';
import { renderScript } from '../../src/plan/script';
import { buildDesired } from '../../src/desired/build';
import { loadExpressionParser } from '../../src/model/expression';
import { loadSpecSources } from '../../src/spec/load';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

const SPEC = `
entity: Label
schema: tags
fields:
  label_id: uuid
  name: varchar(40)
  kind:
    type: varchar(20)
    default: "upper('plain'::varchar)"
materialized_view: label_mv
refresh_interval: "1 hour"
view:
  columns:
    shout: "upper(name)"
`;

let db: TestDatabase;
beforeAll(async () => {
  await loadExpressionParser();
  db = await createTestDatabase('searchpath');
  // The planted overloads, in a schema every session has on its default search_path.
  await db.pool.query(`CREATE SCHEMA IF NOT EXISTS public`);
  await db.pool.query(`CREATE FUNCTION public.upper(character varying) RETURNS text LANGUAGE sql AS $$ SELECT 'planted' $$`);
});
afterAll(async () => {
  await db.drop();
});

test('the planted overload wins in an ordinary session (the attack is real)', async () => {
  expect(await query(db.pool, `SELECT upper('x'::varchar) AS v`)).toEqual([{ v: 'planted' }]);
});

test('apply resolves view and default expressions to the built-ins, whatever the caller\'s search_path', async () => {
  const { specs, diagnostics } = loadSpecSources([{ file: 'label.yaml', text: SPEC }]);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  await applySpecs(specs, { databaseUrl: db.url, today: '2024-03-15' });
  await db.pool.query(`INSERT INTO tags.label (label_id, name) VALUES (gen_random_uuid(), 'quiet')`);
  await db.pool.query(`SELECT tags.refresh_label_mv()`);
  expect(await query(db.pool, `SELECT name, kind, shout FROM tags.label_mv`)).toEqual([{ name: 'quiet', kind: 'PLAIN', shout: 'QUIET' }]);
  const [view] = await query<{ def: string }>(db.pool, `SELECT pg_get_viewdef('tags.label_mv'::regclass) AS def`);
  expect(view!.def).not.toMatch(/public\./);
  expect((await planSpecs(specs, { databaseUrl: db.url, today: '2024-03-15' })).plan.steps).toEqual([]);
});

test('specql sql pins the search_path before its first statement', () => {
  const { specs } = loadSpecSources([{ file: 'label.yaml', text: SPEC }]);
  const script = renderScript(buildDesired(specs, { today: '2024-03-15' }));
  expect(script.split('\n').find((l) => !l.startsWith('--'))).toBe("SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false);");
});

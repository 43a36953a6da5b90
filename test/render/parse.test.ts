/**
 * Every generated statement goes through PostgreSQL's own parser
 * (libpg-query), and every plpgsql function body through its PL/pgSQL parser:
 * the fresh script of specs/ and of hand-built variants for the forms specs/
 * does not use (daily/weekly/yearly, no DEFAULT, GIN, HASH, unique, blocking
 * refresh, pg_cron jobs), plus migration plans between them (alters, rebuilds,
 * archives and drops), planned without a database from a catalog built from
 * the earlier state.
 */
import { buildDesired } from '../../src/desired/build';
import type { DbObject, DesiredState } from '../../src/model/objects';
import type { PlanStep } from '../../src/model/step';
import { planChanges } from '../../src/plan/plan';
import { scriptSteps } from '../../src/plan/script';
import { createFunctionSql } from '../../src/render/functions';
import { loadSpecs } from '../../src/spec/load';
import { variantSpecs } from '../support/entity-builder';
import { catalogOf } from '../support/live-catalog';
import { loadParser, parsePlpgsql, parseSql } from '../support/parse';

beforeAll(loadParser);

function checkSteps(steps: readonly PlanStep[]): number {
  for (const step of steps) expect(parseSql(step.sql)).toBe(1);
  return steps.length;
}

function checkBodies(desired: DesiredState): void {
  for (const object of desired.objects) if (object.kind === 'function' && object.language === 'plpgsql') parsePlpgsql(createFunctionSql(object));
}

test('every statement of the fresh script for specs/ (and every plpgsql body) parses', async () => {
  const { specs } = await loadSpecs(['specs']);
  const desired = buildDesired(specs, { today: '2024-03-15', pgCron: true });
  expect(checkSteps(scriptSteps(desired))).toBeGreaterThan(50);
  checkBodies(desired);
  expect(desired.objects.filter((o) => o.kind === 'function').length).toBeGreaterThanOrEqual(2);
});

test('every statement for daily/weekly/yearly, GIN, HASH, unique, blocking refresh and cron variants parses', () => {
  const desired = buildDesired(variantSpecs(), { today: '2024-03-15', pgCron: true });
  expect(checkSteps(scriptSteps(desired))).toBeGreaterThan(30);
  checkBodies(desired);
  const kinds = new Set(desired.objects.map((o: DbObject) => o.kind));
  expect([...kinds].sort()).toEqual(['cron_job', 'extension', 'function', 'index', 'materialized_view', 'partition', 'schema', 'table']);
});

test('every statement of migration plans (roll forward + archive, rebuilds, drops) parses', async () => {
  const { specs } = await loadSpecs(['specs']);
  const before = buildDesired(specs, { today: '2024-03-15', pgCron: true });
  // A year later with 6 months' retention: new partitions carved, old ones archived.
  const later = buildDesired(specs, { today: '2025-03-15', retention: 6, pgCron: true });
  const rolled = planChanges(later, catalogOf(before)).steps;
  expect(new Set(rolled.map((s) => s.action))).toEqual(new Set(['lock', 'create', 'move_rows', 'attach', 'detach', 'alter', 'comment', 'replace', 'revoke']));
  checkSteps(rolled);
  // Everything of specs/ removed from the spec: drops of every kind.
  const empty: DesiredState = { objects: before.objects.filter((o) => o.kind === 'schema'), entities: [] };
  const drops = planChanges(empty, catalogOf(before)).steps;
  expect(new Set(drops.map((s) => s.action))).toEqual(new Set(['drop', 'unschedule']));
  expect(checkSteps(drops)).toBeGreaterThan(5);
  // Every index definition and the view changed: rebuild forms.
  const variants = buildDesired(variantSpecs(), { today: '2024-03-15', pgCron: true });
  const changed: DesiredState = {
    ...variants,
    objects: variants.objects.map((o) =>
      o.kind === 'index' ? { ...o, unique: false, method: 'btree', with: {}, columns: [...o.columns].reverse() } : o.kind === 'materialized_view' ? { ...o, query: `${o.query}\nLIMIT 10` } : o,
    ),
  };
  const rebuilt = planChanges(changed, catalogOf(variants)).steps;
  expect(rebuilt.some((s) => s.action === 'rename')).toBe(true);
  expect(rebuilt.some((s) => s.action === 'build')).toBe(true);
  checkSteps(rebuilt);
});

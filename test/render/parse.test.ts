/**
 * Every generated statement goes through PostgreSQL's own parser
 * (libpg-query), and every plpgsql function body through its PL/pgSQL parser.
 * Covers specs/ (actions included) plus hand-built variants for the forms
 * specs/ does not use (daily/weekly/yearly, no DEFAULT, GIN, HASH, unique,
 * blocking refresh, pg_cron jobs, drops).
 */
import { buildDesired } from '../../src/desired/build';
import type { DbObject, DesiredState } from '../../src/model/objects';
import { loadSpecs } from '../../src/spec/load';
import { contextFrom, createSteps, dropSteps } from '../../src/render/by-kind';
import { createFunctionSql } from '../../src/render/function-sql';
import { variantSpecs } from '../support/entity-builder';
import { loadParser, parsePlpgsql, parseSql } from '../support/parse';

beforeAll(loadParser);

function checkAll(desired: DesiredState): number {
  const context = contextFrom(desired.objects);
  let statements = 0;
  for (const object of desired.objects) {
    for (const step of [...createSteps(object, context), ...dropSteps(object)]) {
      expect(parseSql(step.sql)).toBe(1);
      statements++;
    }
    if (object.kind === 'function' && object.language === 'plpgsql') parsePlpgsql(createFunctionSql(object));
  }
  return statements;
}

test('every statement for specs/ (and every plpgsql body) parses', async () => {
  const { specs } = await loadSpecs(['specs']);
  const desired = buildDesired(specs, { today: '2024-03-15', pgCron: true });
  expect(checkAll(desired)).toBeGreaterThan(100);
  expect(desired.objects.filter((o) => o.kind === 'function').length).toBeGreaterThanOrEqual(2);
});

test('every statement for daily/weekly/yearly, GIN, HASH, unique, blocking refresh and cron variants parses', () => {
  const desired = buildDesired(variantSpecs(), { today: '2024-03-15', pgCron: true });
  expect(checkAll(desired)).toBeGreaterThan(50);
  const kinds = new Set(desired.objects.map((o: DbObject) => o.kind));
  expect([...kinds].sort()).toEqual(['cron_job', 'extension', 'function', 'index', 'materialized_view', 'partition', 'schema', 'table']);
});

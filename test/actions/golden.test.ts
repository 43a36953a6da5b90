/** The exact SQL generated for SalesTransaction's actions, kept in test/actions/golden/ so every
 *  change to it shows up in review. UPDATE_GOLDEN=1 rewrites the files. (generate.test.ts runs it.) */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { actionObjects, loadParser } from '../../src/desired/actions';
import { actionSql, salesSpecs, type FixtureOptions } from '../support/actions-fixture';

beforeAll(() => loadParser());

test.each<[string, FixtureOptions]>([
  ['async.sql', {}],
  ['sync.sql', { asyncExecution: false }],
  ['accumulator-default.sql', { categoryTransactionsDefault: '0', transactionIdDefault: true }],
])('%s', (file, options) => {
  const specs = salesSpecs(options);
  const sql = `${actionSql(actionObjects(specs.entities[0]!, specs).objects).join('\n\n')}\n`;
  const golden = path.join(__dirname, 'golden', file);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, sql);
  expect(sql).toBe(readFileSync(golden, 'utf8'));
});

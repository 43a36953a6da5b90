/**
 * Names PostgreSQL reserves (schema `group`, table `order`, columns `user`,
 * `when`, `limit`, an index `select`, actions `insert` and `table`, a view
 * `check`) go through every generated check and
 * the load test quoted, never as bare SQL: the whole verify run passes and
 * the pgTAP functions' SQL parses.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applySpecs } from '../../src/engine';
import { loadSpecs } from '../../src/spec/load';
import { pgTapFunctions } from '../../src/verify/pgtap';
import { specql } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { parseTap } from './support';

const SPEC = `
entity: Order
schema: group
table: order
fields:
  id: uuid
  user: uuid
  buyer: uuid
  limit: integer
  amount: decimal(8,2)
  when: timestamptz
indexes:
  - name: select
    columns: [user, limit]
partitioning:
  strategy: RANGE
  column: when
  intervals: [monthly]
  start: 2024-01-01
  premake: 2
actions:
  - name: insert
    pattern: batch/bulk_operation
    operation: insert
    batch_field: rows
  - name: table
    pattern: composite/workflow_orchestrator
    trigger: order_inserted
    performance_hints:
      - async_execution: true
    workflow:
      - step: totals
        action: update
        entity: Column
        fields:
          total: 'total + "order".amount'
        condition: 'buyer = "order".buyer'
verify:
  bulk_load: 60 s
  query: 60 s
  refresh: 60 s
  reader_wait: 60 s
  client_p99: 60 s
  trigger_overhead: 50
---
entity: Column
schema: group
table: column
fields:
  buyer: uuid
  total: decimal(14,2)
primary_key: [buyer]
materialized_view: check
refresh_interval: 1 hour
`;

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'specql-reserved-'));
  writeFileSync(path.join(dir, 'order.yaml'), SPEC);
  db = await createTestDatabase('verify_reserved');
}, 60_000);

afterAll(async () => {
  await db?.drop();
});

test('reserved names are quoted everywhere: apply, load-test, verify all pass', async () => {
  const { specs, diagnostics } = await loadSpecs([dir]);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  await applySpecs(specs, { databaseUrl: db.url });
  const load = await specql('load-test', dir, '--rows', '500', '--seed', '1', '--database-url', db.url, '--format', 'json');
  expect(load.code).toBe(0);
  expect(JSON.parse(load.stdout).rows).toBe(500);
  const result = await specql('verify', dir, '--database-url', db.url);
  if (result.code !== 0) console.log(result.stdout);
  expect(result.code).toBe(0);
  const tap = parseTap(result.stdout);
  expect(tap.asserts.length).toBe(tap.plan?.end);
  expect(tap.asserts.every((a) => a.ok)).toBe(true);
  // The pgTAP functions' SQL is valid too (created in a transaction that is rolled back).
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    for (const f of pgTapFunctions(specs, 'public')) await client.query(f.sql);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}, 240_000);

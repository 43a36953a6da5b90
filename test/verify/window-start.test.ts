/** verify's analytics window on PostgreSQL: without a spec `start` it begins at the current interval. */
import { windowQuery } from '../../src/verify/sql';
import { entity, field, partitioning } from '../support/entity-builder';
import { createTestDatabase, query, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('winstart');
});
afterAll(async () => {
  await db.drop();
});

const reading = (start: string | null) =>
  entity({ entity: 'Reading', fields: [field('id', 'uuid'), field('at', 'timestamp with time zone')], primaryKey: ['id', 'at'], partitioning: { ...partitioning('at', 'monthly'), start } });

test('no start: the current month (UTC); a later start: that start', async () => {
  const [current] = await query<{ from: string; expected: string }>(
    db.pool,
    `SELECT w.v_from::text AS from, (date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')::text AS expected FROM (${windowQuery(reading(null))}) AS w`,
  );
  expect(current!.from).toBe(current!.expected);
  const [later] = await query<{ same: boolean }>(db.pool, `SELECT w.v_from = '2999-01-01 00:00:00+00'::timestamptz AS same FROM (${windowQuery(reading('2999-01-01'))}) AS w`);
  expect(later!.same).toBe(true);
});

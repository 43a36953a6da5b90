/** Two applies at once serialise on the per-schema advisory lock: the second
 *  waits with a message naming the holder, both succeed, the final plan is empty. */
import { acquireApplyLocks } from '../../src/apply/advisory-lock';
import { connect } from '../../src/db/connection';
import { applyDesired, planDesired } from '../../src/engine';
import { col, index, state, table } from '../support/desired-builder';
import { createTestDatabase, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('lock');
});
afterAll(async () => {
  await db.drop();
});

test('two applies at once: the second waits, both succeed, final plan empty', async () => {
  const t = table('lk', 't', [col('id', 'integer', { notNull: true }), col('v', 'text')], {
    constraints: [{ name: 't_pkey', kind: 'primary_key', columns: ['id'] }],
  });
  const desired = state([t, index(t, 't_v_idx', ['v'])]);
  // Hold the lock from a third session so both applies must queue behind it.
  const holder = await connect(db.url);
  const { rows } = await holder.query('SELECT pg_backend_pid() AS pid');
  const held = await acquireApplyLocks(holder, ['lk']);
  const messages: string[][] = [[], []];
  const a = applyDesired(desired, { databaseUrl: db.url, onProgress: (m) => messages[0]!.push(m) });
  const b = applyDesired(desired, { databaseUrl: db.url, onProgress: (m) => messages[1]!.push(m) });
  await new Promise((r) => setTimeout(r, 500));
  for (const list of messages) expect(list.join('\n')).toContain(`another specql apply holds the lock on ${db.name}/lk (pid ${rows[0].pid}); waiting…`);
  await held.release();
  await holder.end();
  const [ra, rb] = await Promise.all([a, b]);
  expect(ra.report.ok && rb.report.ok).toBe(true);
  // Each re-planned inside the lock: exactly one of them had work to do.
  expect([ra.plan.steps.length > 0, rb.plan.steps.length > 0].sort()).toEqual([false, true]);
  expect((await planDesired(desired, { databaseUrl: db.url })).steps).toEqual([]);
});

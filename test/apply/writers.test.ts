/**
 * Writers never fail and are always counted while a plan changes the writer
 * path (src/plan/writers.ts): for each kind of change — an entity removed (a
 * queue column and the enqueue function), added back, the workflow switched
 * async → sync (the queue drained and dropped, the trigger recreated) and back
 * — single-row INSERTs, multi-row batches, COPY and the bulk function insert
 * throughout the apply. No insert fails, no row is lost, and once drained the
 * metrics equal the aggregates of the base table.
 */
import { applySpecs } from '../../src/engine';
import { createTestDatabase, query, type TestDatabase } from '../support/db';
import { drainQueue, metricMismatches, rebuildAllMetrics, rebuildCategoryMetrics } from '../support/metrics';
import { edits, loadTexts, repoSpecs, type SpecTexts } from '../support/spec-variants';
import { whileWriting } from '../support/writers';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('writers');
});
afterAll(async () => {
  await db.drop();
});

const SALES_COLUMNS = ['transaction_id', 'customer_id', 'product_id', 'quantity', 'unit_price', 'total_amount', 'transaction_date', 'payment_method', 'region', 'category'];
const options = (url: string) => ({ databaseUrl: url, today: '2024-03-15', allowHazards: ['deletes_data' as const] });

test('every kind of writer-path change, applied under four kinds of writers: no failed insert, metrics exact', async () => {
  const base = repoSpecs();
  await applySpecs(await loadTexts(base), options(db.url));
  const removed = edits.removeCategoryMetrics(base);
  // A metric target added to a live workflow counts the rows inserted after the switch; rows
  // already there are not backfilled (issue 8, "Also:" — not planned yet), so after that change
  // category_metrics is compared only once rebuilt by hand (writers stopped, queue drained).
  const changes: [string, SpecTexts, string[]][] = [
    ['remove the CategoryMetrics entity (queue column, enqueue function)', removed, []],
    ['add the CategoryMetrics entity back (queue column, enqueue function, new table)', edits.addCategoryMetrics(removed, base), ['category_metrics']],
    ['async → sync (queue drained and dropped, trigger recreated)', edits.sync(base), []],
    ['remove the CategoryMetrics entity in sync mode', edits.removeCategoryMetrics(edits.sync(base)), []],
    ['sync → async (queue created, trigger recreated)', edits.removeCategoryMetrics(base), []],
  ];
  let offset = 1;
  let expected = 0;
  const report: string[] = [];
  const outcomes: { what: string; failures: string[]; everyKindWrote: boolean; rowsAdded: number; rowsCommitted: number; mismatches: string[] }[] = [];
  for (const [what, texts, notBackfilled] of changes) {
    const specs = await loadTexts(texts);
    const { result, stats } = await whileWriting(
      db.url,
      { table: { schema: 'analytics', name: 'sales_transaction' }, columns: SALES_COLUMNS, bulkFunction: { schema: 'analytics', name: 'bulk_insert_transactions' }, offset },
      () => applySpecs(specs, options(db.url)),
    );
    offset = stats.nextOffset;
    const [{ n }] = await query<{ n: string }>(db.pool, 'SELECT count(*) AS n FROM analytics.sales_transaction');
    await drainQueue(db.pool);
    const mismatches = await metricMismatches(db.pool, notBackfilled);
    report.push(`${what}: ${result.plan.steps.length} steps; ${stats.rows} rows (${Object.entries(stats.byKind).map(([k, s]) => `${k} ${s.statements}`).join(', ')}); ${stats.failures.length} failed; ${mismatches.length} metric rows off`);
    outcomes.push({ what, failures: stats.failures, everyKindWrote: Object.values(stats.byKind).every((k) => k.statements > 0), rowsAdded: Number(n) - expected, rowsCommitted: stats.rows, mismatches });
    expected = Number(n);
    if (notBackfilled.includes('category_metrics')) await rebuildCategoryMetrics(db.pool);
    else if (mismatches.length) await rebuildAllMetrics(db.pool); // start the next change exact
  }
  process.stdout.write(`${report.join('\n')}\n`);
  expect(outcomes).toEqual(outcomes.map((o) => ({ ...o, failures: [], everyKindWrote: true, rowsAdded: o.rowsCommitted, mismatches: [] })));
}, 600_000);

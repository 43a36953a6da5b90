import { parsePlPgSQLSync, parseSync } from 'libpg-query';
import { actionDiagnostics, actionObjects, loadParser } from '../../src/desired/actions';
import { DiagnosticsError } from '../../src/diagnostics/diagnostic';
import { actionSql, METRIC_STEPS, salesSpecs, createSalesSchema } from '../support/actions-fixture';
import { createFunctionSql } from '../../src/render/functions';
import { createTestDatabase, query } from '../support/db';

beforeAll(() => loadParser());

/** SQL inside a plpgsql parse tree: statements as they are, expressions (parseMode 2) as SELECT. */
function embeddedQueries(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => embeddedQueries(n, out));
  else if (node && typeof node === 'object') {
    const expr = (node as Record<string, unknown>)['PLpgSQL_expr'] as { query: string; parseMode?: number } | undefined;
    if (expr) {
      if (!expr.parseMode) out.push(expr.query);
      else if (expr.parseMode === 2) out.push(`SELECT ${expr.query}`);
    } else Object.values(node).forEach((v) => embeddedQueries(v, out));
  }
  return out;
}

const sales = (specs = salesSpecs()) => specs.entities.find((e) => e.entity === 'SalesTransaction')!;

describe('generated action objects', () => {
  test('batch_updates sets how many queued rows one processor call takes by default: 10,000, or 1 when false', () => {
    const processorDefault = (batchUpdates: boolean): string | undefined => {
      const specs = salesSpecs({ batchUpdates });
      const fn = actionObjects(sales(specs), specs).objects.find(
        (o) => o.kind === 'function' && o.name === 'update_performance_metrics_process',
      );
      return fn?.kind === 'function' ? fn.args[0]?.default : undefined;
    };
    expect(processorDefault(true)).toBe('10000');
    expect(processorDefault(false)).toBe('1');
  });

  test('names follow the contract and every function is SECURITY DEFINER with a pinned search_path and no PUBLIC execute', () => {
    const specs = salesSpecs();
    const out = actionObjects(sales(specs), specs);
    expect(out.functions).toEqual([
      'update_performance_metrics_enqueue',
      'update_performance_metrics_process',
      'bulk_insert_transactions',
    ]);
    expect(out.triggers).toEqual(['update_performance_metrics_on_insert']);
    expect(out.queue).toBe('update_performance_metrics_queue');
    for (const o of out.objects) {
      if (o.kind !== 'function') continue;
      expect(o.securityDefiner).toBe(true);
      expect(o.searchPath).toBe('pg_catalog, pg_temp');
      expect(o.revokePublic).toBe(true);
    }
    const bulk = out.objects.find((o) => o.kind === 'function' && o.name === 'bulk_insert_transactions');
    expect(bulk && bulk.kind === 'function' && bulk.args).toEqual([{ name: 'p_transactions', type: 'jsonb' }]);
  });

  test('synchronous mode generates an _apply trigger function and no queue', () => {
    const specs = salesSpecs({ asyncExecution: false });
    const out = actionObjects(sales(specs), specs);
    expect(out.functions).toEqual(['update_performance_metrics_apply', 'bulk_insert_transactions']);
    expect(out.queue).toBeNull();
  });

  test('every generated statement and plpgsql body is accepted by the real PostgreSQL parser', () => {
    for (const options of [{}, { asyncExecution: false }, { disableTriggers: false }, { transactionIdDefault: true }]) {
      const specs = salesSpecs(options);
      const objects = actionObjects(sales(specs), specs).objects;
      for (const statement of actionSql(objects)) expect(parseSync(statement).stmts).toHaveLength(1);
      for (const o of objects) {
        if (o.kind !== 'function') continue;
        const parsed = parsePlPgSQLSync(createFunctionSql(o)) as unknown as { plpgsql_funcs: unknown[] };
        expect(parsed.plpgsql_funcs).toHaveLength(1);
        // Each embedded SQL statement / expression through the SQL parser as well.
        const queries = embeddedQueries(parsed);
        expect(queries.length).toBeGreaterThan(0);
        for (const q of queries) expect(() => parseSync(q)).not.toThrow();
      }
    }
  });

  test('generation is deterministic', () => {
    const a = actionSql(actionObjects(sales(), salesSpecs()).objects).join('\n');
    const b = actionSql(actionObjects(sales(), salesSpecs()).objects).join('\n');
    expect(a).toBe(b);
  });

  test('the generated SQL is accepted by PostgreSQL 15 (tables, functions, REVOKE, triggers)', async () => {
    const db = await createTestDatabase('actgen');
    try {
      await createSalesSchema(db.pool, salesSpecs());
      const rows = await query<{ proname: string; prosecdef: boolean; proconfig: string[]; public_exec: boolean }>(
        db.pool,
        `SELECT p.proname, p.prosecdef, p.proconfig,
                has_function_privilege('public', p.oid, 'EXECUTE') AS public_exec
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'analytics' ORDER BY 1`,
      );
      expect(rows.map((r) => r.proname)).toEqual([
        'bulk_insert_transactions',
        'update_performance_metrics_enqueue',
        'update_performance_metrics_process',
      ]);
      for (const r of rows) {
        expect(r.prosecdef).toBe(true);
        expect(r.proconfig).toEqual(['search_path=pg_catalog, pg_temp']);
        expect(r.public_exec).toBe(false);
      }
    } finally {
      await db.drop();
    }
  });
});

describe('expressions that cannot be batched exactly are rejected', () => {
  const withAssignment = (column: string, expression: string) => {
    const steps = METRIC_STEPS.map((s) =>
      s.name === 'update_product_metrics'
        ? { ...s, assignments: [...s.assignments.filter((a) => a.column !== column), { column, expression, at: s.at }] }
        : s,
    );
    const specs = salesSpecs({ steps });
    return () => actionObjects(sales(specs), specs);
  };

  test.each([
    ['total_sales', 'total_sales * transaction.quantity', /total_sales \* transaction\.quantity cannot be batched exactly: it reads "total_sales"/],
    ['total_quantity', 'total_quantity + total_sales', /cannot be batched exactly/],
    ['avg_sale_price', 'transaction.unit_price', /depends on which row comes last/],
    ['avg_sale_price', 'total_sales / total_quantity', /cannot be batched exactly/],
    ['total_sales', 'total_sales + transaction.nope', /SalesTransaction has no field "nope"/],
    ['total_sales', 'total_sales + (SELECT 1)', /subqueries are not allowed/],
  ])('%s = %s', (column, expression, message) => {
    const generate = withAssignment(column, expression);
    expect(generate).toThrow(DiagnosticsError);
    expect(generate).toThrow(message);
    try {
      generate();
    } catch (err) {
      const d = (err as DiagnosticsError).diagnostics[0]!;
      expect(d.code).toMatch(/^workflow\./);
      expect(d.subject).toBe('actions.update_performance_metrics.workflow.update_product_metrics');
    }
  });

  test('all problems are collected, as data, with code, message, subject and position', () => {
    const steps = METRIC_STEPS.map((s) =>
      s.name === 'update_customer_metrics'
        ? {
            ...s,
            assignments: [
              { column: 'total_spent', expression: 'total_spent * 2', at: { file: 'sales.yaml', line: 70, column: 24 } },
              { column: 'customer_segment', expression: 'transaction.region', at: { file: 'sales.yaml', line: 71, column: 29 } },
            ],
          }
        : s,
    );
    const specs = salesSpecs({ steps });
    const diagnostics = actionDiagnostics(sales(specs), specs);
    expect(diagnostics.map((d) => [d.code, d.at?.line])).toEqual([
      ['workflow.not_batchable', 70],
      ['workflow.not_batchable', 71],
    ]);
    expect(diagnostics[1]!.message).toBe(
      'step "update_customer_metrics": CustomerMetrics.customer_segment = transaction.region cannot be batched exactly: ' +
        'it reads transaction fields outside an accumulator, so its value depends on which row comes last',
    );
    expect(actionDiagnostics(sales(), salesSpecs())).toEqual([]);
  });

  test('a constant assignment is exact (every touched row gets it) and accepted', () => {
    const steps = METRIC_STEPS.map((s) =>
      s.name === 'update_customer_metrics' ? { ...s, assignments: [...s.assignments, { column: 'customer_segment', expression: "'active'", at: s.at }] } : s,
    );
    const specs = salesSpecs({ steps });
    expect(actionDiagnostics(sales(specs), specs)).toEqual([]);
  });

  test('a condition that is not the target key is rejected', () => {
    const steps = METRIC_STEPS.map((s) => (s.name === 'update_category_metrics' ? { ...s, condition: 'total_sales = transaction.total_amount' } : s));
    const specs = salesSpecs({ steps });
    expect(() => actionObjects(sales(specs), specs)).toThrow(/not the primary key or a unique index of CategoryMetrics/);
  });
});

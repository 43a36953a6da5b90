/**
 * Spec validation time against spec size (issue 7, "linear-time loading"):
 * 10k, 40k and 100k fields, as entities of 1,000 fields in files of their own
 * (each with a key, an index, monthly partitioning, a materialized view and a
 * default on every third field), and one entity at the field limit. Linear
 * loading makes time(40k) / time(10k) about 4; before the fix it was quadratic
 * (one 20k-field entity took 66 s). No database: validation is pure.
 */
import { loadExpressionParser, loadSpecSources, type SpecSource } from '../../spec/load';
import { MAX_FIELDS } from '../../spec/limits';
import type { BenchResult, BenchSuite } from '../suite';

const PER_ENTITY = 1000;

function sources(totalFields: number, perEntity = PER_ENTITY): SpecSource[] {
  const out: SpecSource[] = [];
  for (let e = 0; e * perEntity < totalFields; e++) {
    const n = Math.min(perEntity, totalFields - e * perEntity);
    const lines = [`entity: Wide${e}`, 'schema: bench', 'fields:', '  id: uuid', '  created_at: timestamptz'];
    for (let i = 0; i < n - 2; i++) lines.push(i % 3 === 0 ? `  f_${i}: { type: integer, default: ${i % 7} }` : `  f_${i}: text`);
    lines.push('indexes:', `  - name: idx_wide${e}_created`, '    columns: [created_at]');
    lines.push('partitioning:', '  strategy: RANGE', '  column: created_at', '  intervals: [monthly]', '  start: 2024-01-01');
    lines.push(`materialized_view: wide${e}_mv`, 'refresh_interval: 5 minutes');
    out.push({ file: `bench/wide_${e}.yaml`, text: `${lines.join('\n')}\n` });
  }
  return out;
}

/** Median of three validations of the same sources, in ms. */
function validateMs(input: SpecSource[]): number {
  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    const { diagnostics } = loadSpecSources(input);
    times.push(performance.now() - t0);
    if (diagnostics.some((d) => d.severity === 'error')) throw new Error(`bench specs invalid: ${diagnostics[0]!.message}`);
  }
  return times.sort((a, b) => a - b)[1]!;
}

export const suite: BenchSuite = {
  name: 'validate: validation time against spec size',
  async run(ctx) {
    await loadExpressionParser();
    validateMs(sources(2000)); // warm up the JIT and the parser's WebAssembly
    const results: BenchResult[] = [];
    const ms = new Map<number, number>();
    for (const fields of [10_000, 40_000, 100_000]) {
      const t = validateMs(sources(fields));
      ms.set(fields, t);
      ctx.log(`validate ${fields} fields: ${t.toFixed(0)} ms`);
      results.push({ name: `validate ${fields.toLocaleString('en-US')} fields (${fields / PER_ENTITY} entities)`, value: `${(t / 1000).toFixed(2)} s` });
    }
    const ratio = ms.get(40_000)! / ms.get(10_000)!;
    results.push({ name: 'time(40k fields) / time(10k fields)', value: `${ratio.toFixed(2)}×`, goal: '≤ 5× (linear is 4×; quadratic 16×)', met: ratio <= 5 });
    const one = validateMs(sources(MAX_FIELDS, MAX_FIELDS));
    results.push({ name: `validate one entity at the field limit (${MAX_FIELDS.toLocaleString('en-US')} fields)`, value: `${one.toFixed(0)} ms` });
    return results;
  },
};

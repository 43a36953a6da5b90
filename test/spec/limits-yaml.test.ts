/**
 * Pathological YAML (issue 7, "bounded loading"): each is refused with one
 * diagnostic at its position instead of a stack trace, a hang or a cyclic value.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpecs } from '../../src/spec/load';
import { MAX_ALIAS_EXPANSION, MAX_ALIASES, MAX_FILE_BYTES, MAX_NESTING_DEPTH, MAX_SCALAR_CHARS } from '../../src/spec/limits';
import { specql } from '../support/cli';
import { brief, diagnose, entity, loadExpressionParser } from './support';

beforeAll(() => loadExpressionParser());

const HEAD = 'entity: Foo\nschema: app\n';

describe('pathological YAML gives one diagnostic at its position', () => {
  it('a billion laughs is refused at the alias that crosses the budget, before anything expands', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g'], ['g', 'h'], ['h', 'i']]) {
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const ds = diagnose(`${HEAD}description: x\n${levels.join('\n')}\n`);
    // Aliases of b, c and d add 81 + 810 + 7,371 = 8,262 nodes; the first *d in e adds 7,380 more.
    expect(ds.map(brief)).toEqual(['yaml.alias_expansion@8:8']);
    expect(ds[0]!.message).toContain(`more than ${MAX_ALIAS_EXPANSION.toLocaleString('en-US')} nodes`);
  });

  it('aliases that expand a little are fine (sharing a field definition)', () => {
    const e = entity(`${HEAD}fields:\n  id: uuid\n  a: &money { type: "decimal(10,2)", default: 0 }\n  b: *money\n`);
    expect(e.fields.map((f) => [f.name, f.type, f.default])).toEqual([
      ['id', 'uuid', 'gen_random_uuid()'],
      ['a', 'numeric(10,2)', '0'],
      ['b', 'numeric(10,2)', '0'],
    ]);
  });

  it('an alias inside its own anchor (a cyclic value) is refused', () => {
    expect(diagnose(`${HEAD}fields: &f\n  id: [1, *f]\n`).map(brief)).toEqual(['yaml.alias_cycle@4:11']);
  });

  it('an alias without an anchor is refused (the library would throw)', () => {
    expect(diagnose(`${HEAD}description: *nowhere\nfields:\n  id: uuid\n`).map(brief)).toEqual(['yaml.alias_unknown@3:14']);
  });

  it('too many aliases are refused at the first one over the limit', () => {
    const items = Array.from({ length: MAX_ALIASES + 5 }, () => '*v').join(', ');
    const ds = diagnose(`${HEAD}description: &v x\nextra: [${items}]\n`);
    expect(ds.map((d) => d.code)).toEqual(['yaml.alias_count']);
    expect(ds[0]!.at).toEqual({ file: 'inline.yaml', line: 4, column: 9 + 4 * MAX_ALIASES });
  });

  it('deeply nested flow collections are refused before parsing, at the first bracket too deep', () => {
    const depth = 200_000;
    const ds = diagnose(`${HEAD}description: "[[[[ in a string is not nesting"\nx: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
    expect(ds.map(brief)).toEqual([`yaml.too_deep@4:${4 + MAX_NESTING_DEPTH}`]);
  });

  it('deeply nested block maps are refused at the first map too deep', () => {
    const lines = Array.from({ length: MAX_NESTING_DEPTH + 3 }, (_, i) => `${' '.repeat(2 * i)}k${i}:`);
    const ds = diagnose(`${HEAD}${lines.join('\n')} 1\n`);
    expect(ds.map((d) => d.code)).toEqual(['yaml.too_deep']);
    // Depth 1 is the document's map (k0 on line 3); the map at depth 33 is the one holding k32.
    expect(ds.map(brief)).toEqual([`yaml.too_deep@${3 + MAX_NESTING_DEPTH}:${2 * MAX_NESTING_DEPTH + 1}`]);
  });

  it('an enormous scalar is refused at its start without unescaping it', () => {
    const ds = diagnose(`${HEAD}description: "${'x\\n'.repeat(MAX_SCALAR_CHARS)}"\n`);
    expect(ds.map(brief)).toEqual(['yaml.scalar_too_long@3:14']);
    expect(ds[0]!.message).toContain(`at most ${MAX_SCALAR_CHARS.toLocaleString('en-US')}`);
  });

  it('duplicate keys are still reported, in every map', () => {
    expect(diagnose(`${HEAD}fields:\n  id: uuid\n  a: text\n  a: integer\n`).map(brief)).toEqual(['yaml.duplicate_key@6:3']);
  });

  it('a file over the size limit is refused at 1:1 without being parsed (text and files)', async () => {
    const text = `${HEAD}description: |\n${'  filler line of a very large spec\n'.repeat(Math.ceil(MAX_FILE_BYTES / 35) + 10)}`;
    expect(diagnose(text).map(brief)).toEqual(['file.too_large@1:1']);
    const dir = mkdtempSync(join(tmpdir(), 'specql-limits-'));
    writeFileSync(join(dir, 'big.yaml'), text);
    writeFileSync(join(dir, 'ok.yaml'), `${HEAD}fields:\n  id: uuid\n`);
    const { specs, diagnostics } = await loadSpecs([dir]);
    expect(diagnostics.map((d) => `${d.code}@${d.at?.file.endsWith('big.yaml')}`)).toEqual(['file.too_large@true']);
    expect(specs.entities.map((e) => e.entity)).toEqual(['Foo']);
  });

  it('`specql validate` prints the bomb as file:line:col, exit 1, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'specql-bomb-'));
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const file = join(dir, 'bomb.yaml');
    writeFileSync(file, `${HEAD}${levels.join('\n')}\n`);
    const result = await specql('validate', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bomb\.yaml:\d+:\d+: error: alias `\*[a-h]` makes the document's aliases expand to more than 10,000 nodes/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack frames
  });
});

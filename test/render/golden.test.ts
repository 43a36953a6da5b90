/**
 * test/golden/specs.sql is `specql sql specs/ --today 2024-03-15`, byte for
 * byte. Regenerate after an intended change with UPDATE_GOLDEN=1 and review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDesired } from '../../src/desired/build';
import { loadSpecs } from '../../src/spec/load';
import { renderScript } from '../../src/plan/script';
import { specql } from '../support/cli';

const GOLDEN = join(__dirname, '..', 'golden', 'specs.sql');
const TODAY = '2024-03-15';

async function render(): Promise<string> {
  const { specs, diagnostics } = await loadSpecs(['specs']);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return renderScript(buildDesired(specs, { today: TODAY }));
}

test('specs/ renders exactly test/golden/specs.sql', async () => {
  const script = await render();
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, script);
  expect(existsSync(GOLDEN)).toBe(true);
  expect(script).toBe(readFileSync(GOLDEN, 'utf8'));
});

test('two renders are byte-identical', async () => {
  const [a, b] = [await render(), await render()];
  expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
});

test('`specql sql specs --today 2024-03-15` prints the golden script, twice the same', async () => {
  const first = await specql('sql', 'specs', '--today', TODAY);
  const second = await specql('sql', 'specs', `--today=${TODAY}`);
  expect(first).toEqual({ code: 0, stdout: readFileSync(GOLDEN, 'utf8'), stderr: '' });
  expect(second.stdout).toBe(first.stdout);
});

test('`specql sql` exits 1 with file:line:col diagnostics for an invalid spec, and on bad options', async () => {
  const dir = join(__dirname, '..', '..', 'test', 'fixtures', 'seed');
  const seed = await specql('sql', dir, '--today', TODAY);
  expect(seed.code).toBe(1);
  expect(seed.stdout).toBe('');
  expect(seed.stderr).toMatch(/sales_analytics\.yaml:\d+:\d+: error: /);
  expect((await specql('sql', 'specs', '--today', '2024-13-45')).code).toBe(1);
  expect((await specql('sql')).code).toBe(1);
});

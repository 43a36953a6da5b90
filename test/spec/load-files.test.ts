/** loadSpecs: files and directories, recursive, .yaml/.yml only, sorted, one set across files. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpecs } from '../../src/spec/load';

const target = 'entity: Totals\nschema: app\nfields:\n  key: text\n  n: bigint\nprimary_key: [key]\n';
const source = (targetName: string) =>
  'entity: Events\nschema: app\nfields:\n  event_id: uuid\n  key: text\nactions:\n  - name: count_events\n    pattern: composite/workflow_orchestrator\n    trigger: event_inserted\n    workflow:\n' +
  `      - step: count\n        action: update\n        entity: ${targetName}\n        fields:\n          n: "COALESCE(n, 0) + 1"\n        condition: "key = event.key"\n`;

test('directories are read recursively in path order; other files are ignored; references cross files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'specql-load-'));
  mkdirSync(join(dir, 'nested'));
  writeFileSync(join(dir, 'z_events.yaml'), source('Totals'));
  writeFileSync(join(dir, 'nested', 'totals.yml'), target);
  writeFileSync(join(dir, 'README.md'), '# not a spec');
  const { specs, diagnostics } = await loadSpecs([dir]);
  expect(diagnostics).toEqual([]);
  // `nested/totals.yml` sorts before `z_events.yaml`.
  expect(specs.entities.map((e) => [e.entity, e.at.file])).toEqual([
    ['Totals', join(dir, 'nested', 'totals.yml')],
    ['Events', join(dir, 'z_events.yaml')],
  ]);
});

test('problems in several files are all reported, sorted by file then position', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'specql-load-'));
  writeFileSync(join(dir, 'a.yaml'), source('Totalz'));
  writeFileSync(join(dir, 'b.yaml'), target.replace('bigint', 'bigintt'));
  const { diagnostics } = await loadSpecs([join(dir, 'b.yaml'), join(dir, 'a.yaml')]);
  expect(diagnostics.map((d) => `${d.at?.file.slice(dir.length + 1)}:${d.at?.line}:${d.at?.column} ${d.code}`)).toEqual([
    'a.yaml:13:17 workflow.unknown_entity',
    'b.yaml:5:6 type.unknown',
  ]);
  expect(diagnostics[0].hint).toBe('did you mean `Totals`?');
});

test('a path that cannot be read is an error, other paths still load', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'specql-load-'));
  writeFileSync(join(dir, 't.yaml'), target);
  const { specs, diagnostics } = await loadSpecs([join(dir, 'missing'), dir]);
  expect(diagnostics.map((d) => d.code)).toEqual(['file.unreadable']);
  expect(specs.entities).toHaveLength(1);
});

import type { Diagnostic } from '../../src/diagnostics/diagnostic';
import { loadExpressionParser, loadSpecSources, loadSpecText } from '../../src/spec/load';
import type { EntitySpec } from '../../src/spec/model';

export { loadExpressionParser };

/** `code@line:col` — compact enough to assert whole lists exactly. */
export const brief = (d: Diagnostic): string => `${d.code}@${d.at?.line}:${d.at?.column}`;

export function diagnose(text: string, file = 'inline.yaml'): Diagnostic[] {
  return loadSpecText(text, file).diagnostics;
}

export function briefs(text: string): string[] {
  return diagnose(text).map(brief);
}

export function entity(text: string, name?: string): EntitySpec {
  const { specs, diagnostics } = loadSpecSources([{ file: 'inline.yaml', text }]);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`unexpected errors: ${errors.map(brief).join(', ')}`);
  const found = name ? specs.entities.find((e) => e.entity === name) : specs.entities[0];
  if (!found) throw new Error(`no entity ${name ?? ''}`);
  return found;
}

/** Builds a small valid entity document with extra YAML appended. */
export const doc = (body: string, head = 'entity: Foo\nschema: app\n'): string => head + body;

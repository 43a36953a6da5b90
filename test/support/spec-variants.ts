/**
 * specs/ as text, edited: the migration tests describe each change as a text
 * edit of the repository's own specs (so they follow the specs as they
 * evolve), written to a temp folder and loaded like `specql apply` does.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSpecs } from '../../src/spec/load';
import type { SpecSet } from '../../src/spec/model';

const ROOT = path.join(__dirname, '..', '..');

/** File name → text. */
export type SpecTexts = Readonly<Record<string, string>>;

export function repoSpecs(): SpecTexts {
  const dir = path.join(ROOT, 'specs');
  return Object.fromEntries(readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
}

/** Replaces `from` (which must occur exactly once) by `to` in `file`. */
export function replaceOnce(texts: SpecTexts, file: string, from: string | RegExp, to: string): SpecTexts {
  const text = texts[file];
  if (text === undefined) throw new Error(`no spec file ${file}`);
  const count = typeof from === 'string' ? text.split(from).length - 1 : (text.match(new RegExp(from.source, `${from.flags.replace('g', '')}g`)) ?? []).length;
  if (count !== 1) throw new Error(`${file}: expected exactly one match of ${String(from)}, found ${count}`);
  return { ...texts, [file]: text.replace(from, to) };
}

/** Loads the texts as `specql` would (validation errors throw, with their messages). */
export async function loadTexts(texts: SpecTexts): Promise<SpecSet> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'specql-variant-'));
  try {
    for (const [file, text] of Object.entries(texts)) writeFileSync(path.join(dir, file), text);
    const { specs, diagnostics } = await loadSpecs([dir]);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new Error(`spec variant does not load:\n${errors.map((d) => `${d.code}: ${d.message}`).join('\n')}`);
    return specs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The workflow edits the writer tests and the migration sequences share. */
export const edits = {
  /** CategoryMetrics leaves the specs, and with it the workflow step that writes it (queue column `category` goes). */
  removeCategoryMetrics(t: SpecTexts): SpecTexts {
    let out = replaceOnce(t, 'performance_metrics.yaml', /\n---\n# added: the example's workflow updates CategoryMetrics[\s\S]*$/, '\n');
    out = replaceOnce(out, 'sales_analytics.yaml', /\n {6}- step: update_category_metrics\n[\s\S]*?condition: "category = transaction.category"/, '');
    return out;
  },
  addCategoryMetrics(t: SpecTexts, base: SpecTexts): SpecTexts {
    return { ...t, 'performance_metrics.yaml': base['performance_metrics.yaml']!, 'sales_analytics.yaml': t['sales_analytics.yaml']!.replace(/(condition: "customer_id = transaction.customer_id"\n)/, `$1${categoryStep(base)}`) };
  },
  sync(t: SpecTexts): SpecTexts {
    return replaceOnce(t, 'sales_analytics.yaml', 'async_execution: true', 'async_execution: false');
  },
  async(t: SpecTexts): SpecTexts {
    return replaceOnce(t, 'sales_analytics.yaml', 'async_execution: false', 'async_execution: true');
  },
};

function categoryStep(base: SpecTexts): string {
  const m = /\n( {6}- step: update_category_metrics\n[\s\S]*?condition: "category = transaction.category"\n)/.exec(base['sales_analytics.yaml']!);
  if (!m) throw new Error('specs/sales_analytics.yaml has no update_category_metrics step');
  return `\n${m[1]}`;
}

/**
 * Loading spec files: YAML → structural check (zod) → model building and
 * meaning checks → set-wide checks. Every diagnostic from every file is
 * collected before returning, sorted by file and position.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic';
import { loadExpressionParser } from '../model/expression';
import type { SpecSet } from './model';
import { MAX_FILE_BYTES } from './limits';
import { messages } from './messages';
import { EntitySchema } from './schema';
import { shapeDiagnostics } from './shape';
import { buildEntity, checkSpecSet, type EntityDraft } from './validate';
import { parseYamlFile } from './yaml-source';

export interface LoadResult {
  readonly specs: SpecSet;
  readonly diagnostics: Diagnostic[];
}

export interface SpecSource {
  readonly file: string;
  readonly text: string;
}

const byPosition = (a: Diagnostic, b: Diagnostic): number =>
  (a.at?.file ?? '').localeCompare(b.at?.file ?? '') || (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.column ?? 0) - (b.at?.column ?? 0);

/** Loads several already-read files as one set (cross-entity checks see all of them). */
export function loadSpecSources(sources: readonly SpecSource[]): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const report = (d: Diagnostic) => diagnostics.push(d);
  const drafts: EntityDraft[] = [];
  for (const { file, text } of sources) {
    // Bytes, as the file holds them; text.length bounds it from below, so the cheap test comes first.
    if (text.length > MAX_FILE_BYTES || Buffer.byteLength(text) > MAX_FILE_BYTES) {
      diagnostics.push(messages.fileTooLarge(file, Buffer.byteLength(text), MAX_FILE_BYTES));
      continue;
    }
    const parsed = parseYamlFile(text, file);
    diagnostics.push(...parsed.diagnostics);
    for (const doc of parsed.documents) {
      const shape = EntitySchema.safeParse(doc.value);
      if (!shape.success) diagnostics.push(...shapeDiagnostics(doc, shape.error.issues));
      const draft = buildEntity(doc, report);
      if (draft) drafts.push(draft);
    }
  }
  checkSpecSet(drafts, report);
  // Stable sort: same-position diagnostics keep detection order.
  diagnostics.sort(byPosition);
  return { specs: { entities: drafts.map((d) => d.spec) }, diagnostics };
}

/**
 * Loads one file's text. Synchronous, so the PostgreSQL parser must already be
 * loaded: `await loadExpressionParser()` first (loadSpecs does it for you).
 */
export function loadSpecText(text: string, file: string): LoadResult {
  return loadSpecSources([{ file, text }]);
}

async function collectFiles(path: string, out: string[]): Promise<void> {
  const info = await stat(path);
  if (info.isDirectory()) {
    const names = (await readdir(path)).sort();
    for (const name of names) {
      const child = join(path, name);
      const childInfo = await stat(child);
      if (childInfo.isDirectory() || /\.ya?ml$/i.test(name)) await collectFiles(child, out);
    }
  } else {
    out.push(path);
  }
}

/** Loads files and directories (recursively, `.yaml`/`.yml`; all files sorted by path) as one spec set. */
export async function loadSpecs(paths: string[]): Promise<LoadResult> {
  await loadExpressionParser();
  const files: string[] = [];
  const missing: Diagnostic[] = [];
  for (const path of paths) {
    try {
      await collectFiles(path, files);
    } catch (error) {
      missing.push({
        code: 'file.unreadable',
        severity: 'error',
        message: `cannot read \`${path}\`: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
        hint: 'check the path',
        subject: path,
      });
    }
  }
  // Sorted whatever order the paths were given in, so output and entity order are deterministic.
  const unique = [...new Set(files)].sort();
  // A file over the size limit is not even read into memory.
  const sizes = await Promise.all(unique.map(async (file) => (await stat(file)).size));
  const tooLarge = unique.flatMap((file, i) => (sizes[i]! > MAX_FILE_BYTES ? [messages.fileTooLarge(file, sizes[i]!, MAX_FILE_BYTES)] : []));
  const readable = unique.filter((_, i) => sizes[i]! <= MAX_FILE_BYTES);
  const sources = await Promise.all(readable.map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
  const result = loadSpecSources(sources);
  return { specs: result.specs, diagnostics: [...missing, ...tooLarge, ...result.diagnostics] };
}

export { loadExpressionParser };

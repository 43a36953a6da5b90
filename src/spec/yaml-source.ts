/**
 * YAML text → documents whose every node can be pointed at as file:line:col.
 *
 * Parsing uses the YAML 1.2 core schema so `start: 2024-01-01` stays the
 * string it looks like (the 1.1 schema would turn it into a Date).
 *
 * The printed SpecQL example runs two entities into one YAML document (no
 * `---`). We detect the repeated top-level `entity:` key, report it, and
 * recover by re-parsing each entity's slice of the text on its own, so both
 * entities are still validated with their original line numbers.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import type { Diagnostic, SourcePosition } from '../diagnostics/diagnostic';
import { messages } from './messages';

export type PathSegment = string | number;

export interface SpecDocument {
  readonly file: string;
  readonly text: string;
  readonly yaml: Document.Parsed;
  readonly lines: LineCounter;
  /** The document as plain data (maps → objects, sequences → arrays). */
  readonly value: unknown;
}

/** The key and value nodes found at a path; the deepest reachable ones when the path runs out. */
export interface Located {
  readonly key: Node | null;
  readonly value: Node | null;
  /** True when the whole path resolved. */
  readonly exact: boolean;
}

export function positionAt(doc: Pick<SpecDocument, 'file' | 'lines'>, offset: number): SourcePosition {
  const { line, col } = doc.lines.linePos(offset);
  return { file: doc.file, line, column: col };
}

export function locate(doc: SpecDocument, path: readonly PathSegment[]): Located {
  let value: Node | null = (doc.yaml.contents as Node | null) ?? null;
  let key: Node | null = null;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    let next: { key: Node | null; value: Node | null } | null = null;
    if (isMap(value)) {
      const pair = value.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment)) as Pair<Node, Node> | undefined;
      if (pair) next = { key: pair.key, value: (pair.value as Node | null) ?? null };
    } else if (isSeq(value) && typeof segment === 'number') {
      const item = value.items[segment] as Node | undefined;
      if (item) next = { key: null, value: isPair(item) ? null : item };
    }
    if (!next) return { key, value, exact: false };
    key = next.key;
    value = next.value;
  }
  return { key, value, exact: true };
}

/** Where to point for a path: the value when `part` is 'value' (default), the key for 'key'. */
export function positionOf(doc: SpecDocument, path: readonly PathSegment[], part: 'key' | 'value' = 'value'): SourcePosition {
  const found = locate(doc, path);
  const node = part === 'key' ? (found.key ?? found.value) : (found.value ?? found.key);
  const offset = node?.range?.[0] ?? (doc.yaml.contents as Node | null)?.range?.[0] ?? 0;
  return positionAt(doc, offset);
}

/**
 * Maps an offset inside a scalar's *value* to the offset in the source text,
 * so a parser error at character 12 of "total_sales + ..." lands on the right
 * column even though the value sits inside quotes.
 */
export function scalarSourceOffset(doc: SpecDocument, node: Node | null, valueOffset: number): number {
  if (!isScalar(node) || !node.range) return node?.range?.[0] ?? 0;
  const start = node.range[0];
  const raw = doc.text.slice(start, node.range[1]);
  const type = node.type;
  if (type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE) {
    // Walk the raw text, counting value characters; escapes take 2+ raw characters.
    let v = 0;
    let r = 1;
    while (r < raw.length - 1 && v < valueOffset) {
      if (type === Scalar.QUOTE_DOUBLE && raw[r] === '\\') r += raw[r + 1] === 'x' ? 4 : raw[r + 1] === 'u' ? 6 : 2;
      else if (type === Scalar.QUOTE_SINGLE && raw[r] === "'" && raw[r + 1] === "'") r += 2;
      else r += 1;
      v += 1;
    }
    return start + r;
  }
  // Plain and block scalars differ from their source only in whitespace (indentation,
  // folded line breaks), so count non-blank characters: the k-th one in the value is
  // the k-th one in the source after a block scalar's `|`/`>` header line.
  const value = String(node.value);
  if (raw.startsWith(value)) return start + valueOffset;
  const bodyStart = type === Scalar.BLOCK_LITERAL || type === Scalar.BLOCK_FOLDED ? raw.indexOf('\n') + 1 : 0;
  const nonBlankBefore = value.slice(0, valueOffset).replace(/\s/g, '').length;
  let seen = 0;
  let lastNonBlank = bodyStart - 1;
  for (let r = bodyStart; r < raw.length; r++) {
    if (/\s/.test(raw[r])) continue;
    if (seen === nonBlankBefore) return start + r;
    seen += 1;
    lastNonBlank = r;
  }
  return start + lastNonBlank + 1;
}

export function scalarPosition(doc: SpecDocument, node: Node | null, valueOffset: number): SourcePosition {
  return positionAt(doc, scalarSourceOffset(doc, node, valueOffset));
}

/** Replaces everything outside [from, to) by spaces (newlines kept) so offsets stay the same. */
function maskOutside(text: string, from: number, to: number): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  return blank(text.slice(0, from)) + text.slice(from, to) + blank(text.slice(to));
}

function parseDocuments(text: string, lines: LineCounter): Document.Parsed[] {
  return parseAllDocuments(text, { lineCounter: lines, schema: 'core', prettyErrors: false, uniqueKeys: true }) as Document.Parsed[];
}

/** Offsets of every top-level `entity` key after the first, when one document holds several entities. */
function extraEntityKeys(yaml: Document.Parsed): Node[] {
  const contents = yaml.contents;
  if (!isMap(contents)) return [];
  const keys = contents.items.filter((p) => isScalar(p.key) && p.key.value === 'entity').map((p) => p.key as Node);
  return keys.slice(1);
}

/** First line of a yaml library message, without its "at line x, column y" tail (we print the position ourselves). */
function yamlMessage(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

export function parseYamlFile(text: string, file: string): { documents: SpecDocument[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const documents: SpecDocument[] = [];
  const lines = new LineCounter();
  const parsed = parseDocuments(text, lines);

  const accept = (yaml: Document.Parsed, sourceText: string, ownLines: LineCounter) => {
    const doc: SpecDocument = { file, text: sourceText, yaml, lines: ownLines, value: null };
    for (const error of yaml.errors) {
      const at = positionAt(doc, error.pos[0]);
      diagnostics.push(
        error.code === 'DUPLICATE_KEY'
          ? messages.duplicateKey(at, yamlKeyAt(sourceText, error.pos[0]))
          : messages.yamlSyntax(at, yamlMessage(error.message)),
      );
    }
    for (const warning of yaml.warnings) diagnostics.push(messages.yamlWarning(positionAt(doc, warning.pos[0]), yamlMessage(warning.message)));
    if (yaml.errors.some((e) => e.code !== 'DUPLICATE_KEY')) return; // structure unreliable
    const value: unknown = yaml.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return; // empty document (e.g. a trailing `---`)
    documents.push({ ...doc, value });
  };

  for (const yaml of parsed) {
    const extra = extraEntityKeys(yaml);
    if (extra.length === 0) {
      accept(yaml, text, lines);
      continue;
    }
    // Several entities run together: report each extra `entity:` and re-parse each slice alone.
    const contents = yaml.contents as Node;
    const starts = [contents.range![0], ...extra.map((k) => k.range![0])];
    const end = contents.range![2];
    const firstEntity = positionAt({ file, lines }, starts[0]);
    for (const key of extra) diagnostics.push(messages.entitiesInOneDocument(positionAt({ file, lines }, key.range![0]), firstEntity));
    for (let i = 0; i < starts.length; i++) {
      const slice = maskOutside(text, starts[i], i + 1 < starts.length ? starts[i + 1] : end);
      const sliceLines = new LineCounter();
      const sliceDocs = parseDocuments(slice, sliceLines).filter((d) => d.contents !== null);
      for (const d of sliceDocs) accept(d, slice, sliceLines);
    }
  }
  return { documents, diagnostics };
}

function yamlKeyAt(text: string, offset: number): string {
  return /^[^:\n]*/.exec(text.slice(offset))?.[0].trim() ?? '';
}

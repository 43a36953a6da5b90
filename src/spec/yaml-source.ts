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
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, Parser, Scalar } from 'yaml';
import type { CST, Document, Node, Pair } from 'yaml';
import type { Diagnostic, SourcePosition } from '../diagnostics/diagnostic';
import { MAX_ALIAS_EXPANSION, MAX_ALIASES, MAX_NESTING_DEPTH, MAX_SCALAR_CHARS } from './limits';
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

/**
 * Each map's pairs by key, built once per map on first lookup: positions are
 * asked for every field, so a scan of the map's items per lookup would make
 * validation quadratic in the number of fields.
 */
const pairIndex = new WeakMap<object, Map<string, Pair<Node, Node>>>();

/**
 * Map entries examined by position lookups (indexing plus one per lookup), for
 * test/spec/limits.test.ts: it proves lookups grow linearly with the spec by
 * counting work, not by timing (a scan per lookup grew with the square).
 */
let lookupWork = 0;
export const positionLookupWork = (): number => lookupWork;

function pairByKey(map: { items: Pair<unknown, unknown>[] }, key: string): Pair<Node, Node> | undefined {
  let index = pairIndex.get(map);
  lookupWork += 1;
  if (!index) {
    index = new Map();
    lookupWork += map.items.length;
    for (const p of map.items) {
      // The first of duplicate keys wins, as a scan would find it.
      if (isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p as Pair<Node, Node>);
    }
    pairIndex.set(map, index);
  }
  return index.get(key);
}

/** Each alias's target, recorded while aliases are checked (the library's own lookup scans the document). */
const aliasTargets = new WeakMap<object, Node>();

export function locate(doc: SpecDocument, path: readonly PathSegment[]): Located {
  let value: Node | null = (doc.yaml.contents as Node | null) ?? null;
  let key: Node | null = null;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    // A path through an alias continues in its anchor's node (positions point at the definition).
    if (isAlias(value)) value = aliasTargets.get(value) ?? value;
    let next: { key: Node | null; value: Node | null } | null = null;
    if (isMap(value)) {
      const pair = pairByKey(value, String(segment));
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

/** A CST collection's children (keys and values), for the pre-compose walk. */
function cstChildren(token: CST.Token): CST.Token[] {
  if (token.type === 'document') return token.value ? [token.value] : [];
  if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
    const out: CST.Token[] = [];
    for (const item of token.items as { key?: CST.Token | null; value?: CST.Token | null }[]) {
      if (item.key) out.push(item.key);
      if (item.value) out.push(item.value);
    }
    return out;
  }
  return [];
}

const isCollectionToken = (t: CST.Token): boolean => t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection';

/**
 * Checks the raw token tree before any value is built: collections nested
 * deeper than MAX_NESTING_DEPTH (the composer recurses per level and would
 * overflow the stack) and scalars longer than MAX_SCALAR_CHARS (a quoted
 * one takes seconds per megabyte to unescape). Iterative, so depth costs no stack.
 */
function tokenProblem(root: CST.Token, seen: { aliases: boolean }): { offset: number; problem: 'depth' | 'scalar'; size: number } | null {
  const stack: [CST.Token, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    if (token.type === 'alias') seen.aliases = true;
    const level = isCollectionToken(token) ? depth + 1 : depth;
    if (level > MAX_NESTING_DEPTH) return { offset: token.offset, problem: 'depth', size: level };
    if ('source' in token && typeof token.source === 'string' && token.source.length > MAX_SCALAR_CHARS) {
      return { offset: token.offset, problem: 'scalar', size: token.source.length };
    }
    for (const child of cstChildren(token)) stack.push([child, level]);
  }
  return null;
}

/**
 * Offset of the first flow collection (`[`, `{`) nested deeper than the
 * limit, or null. The parser takes seconds for a megabyte of `[[[[…`, so this
 * runs first: a plain count of brackets almost always proves the text shallow;
 * only when it does not, the lexer (which knows what is quoted) counts exactly.
 */
function deepFlowOffset(text: string): number | null {
  let depth = 0;
  let most = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) most = Math.max(most, ++depth);
    else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  if (most <= MAX_NESTING_DEPTH) return null;
  depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      if (++depth > MAX_NESTING_DEPTH) return offset;
    } else if ((token === ']' || token === '}') && depth > 0) depth--;
    // Control tokens (document start, scalar and flow-error markers) take no source text.
    if (!(token.length === 1 && (token === '\x02' || token === '\x18' || token === '\x1f'))) offset += token.length;
  }
  return null;
}

/**
 * YAML → documents, linear in the text: the library's own duplicate-key check
 * compares each key with every earlier one (100,000 keys took 161 s), so keys
 * are checked here with one set per map instead (./yaml-source duplicateKeys).
 */
function parseDocuments(text: string, lines: LineCounter, file: string, diagnostics: Diagnostic[] | null): Document.Parsed[] {
  const deep = deepFlowOffset(text);
  if (deep !== null) {
    // The line counter is filled by the parser, which did not run: count lines here.
    const own = new LineCounter();
    own.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0 && i < deep; i = text.indexOf('\n', i + 1)) own.addNewLine(i + 1);
    diagnostics?.push(messages.yamlTooDeep(positionAt({ file, lines: own }, deep), MAX_NESTING_DEPTH));
    return [];
  }
  const tokens = Array.from(new Parser(lines.addNewLine).parse(text));
  const seen = { aliases: false };
  for (const token of tokens) {
    if (token.type !== 'document') continue;
    const found = tokenProblem(token, seen);
    if (!found) continue;
    const at = positionAt({ file, lines }, found.offset);
    diagnostics?.push(found.problem === 'depth' ? messages.yamlTooDeep(at, MAX_NESTING_DEPTH) : messages.yamlScalarTooLong(at, found.size, MAX_SCALAR_CHARS));
    return []; // nothing of this file is composed: its structure cannot be trusted
  }
  const composer = new Composer({ schema: 'core', prettyErrors: false, uniqueKeys: false });
  const docs = Array.from(composer.compose(tokens)) as Document.Parsed[];
  // The alias walk (sizes of every node) is only needed where an alias was written.
  if (seen.aliases) for (const doc of docs) withAliases.add(doc);
  return docs;
}

/** Documents of files that contain an alias token (the others need no alias check). */
const withAliases = new WeakSet<object>();

/** Duplicate keys in any map of the document: one set per map, so linear. */
function duplicateKeys(yaml: Document.Parsed): number[] {
  const offsets: number[] = [];
  const stack: unknown[] = [yaml.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const key = String(pair.key.value);
          if (seen.has(key)) offsets.push(pair.key.range?.[0] ?? 0);
          seen.add(key);
        }
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      stack.push(...node.items);
    }
  }
  return offsets.sort((a, b) => a - b);
}

/**
 * Aliases: each must name an anchor before it and outside itself (an alias
 * inside its own anchor would build a cyclic value), and together they may
 * add at most MAX_ALIAS_EXPANSION nodes when expanded. Sizes are computed
 * bottom-up in document order (post-order), so an alias's target, complete
 * before the alias, already has its expanded size: linear, and a billion
 * laughs is refused at the alias that crosses the budget before anything expands.
 */
function aliasProblem(yaml: Document.Parsed): { offset: number; problem: 'cycle' | 'unresolved' | 'expansion' | 'count'; name: string } | null {
  const size = new Map<unknown, number>();
  // The latest anchor of each name seen so far in document order: what an alias refers to.
  const anchors = new Map<string, unknown>();
  let added = 0;
  let aliases = 0;
  // Post-order: [node, childrenPushed]
  const stack: [unknown, boolean][] = [[yaml.contents, false]];
  const children = (node: unknown): unknown[] =>
    isMap(node) ? node.items.flatMap((p) => [p.key, p.value]) : isSeq(node) ? node.items : [];
  while (stack.length > 0) {
    const [node, expanded] = stack.pop()!;
    if (node === null || node === undefined) continue;
    if (isAlias(node)) {
      // The library resolves each alias by scanning the whole document; counted and mapped here instead.
      if (++aliases > MAX_ALIASES) return { offset: node.range?.[0] ?? 0, problem: 'count', name: node.source };
      const target = anchors.get(node.source);
      if (!target) return { offset: node.range?.[0] ?? 0, problem: 'unresolved', name: node.source };
      const targetSize = size.get(target);
      if (targetSize === undefined) return { offset: node.range?.[0] ?? 0, problem: 'cycle', name: node.source };
      added += targetSize - 1;
      if (added > MAX_ALIAS_EXPANSION) return { offset: node.range?.[0] ?? 0, problem: 'expansion', name: node.source };
      size.set(node, targetSize);
      aliasTargets.set(node, target as Node);
      continue;
    }
    const kids = children(node);
    if (!expanded) {
      const anchor = (node as { anchor?: string }).anchor;
      if (anchor) anchors.set(anchor, node);
      stack.push([node, true]);
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], false]);
      continue;
    }
    let total = 1;
    for (const kid of kids) total += kid === null || kid === undefined ? 0 : (size.get(kid) ?? 1);
    size.set(node, total);
  }
  return null;
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
  const parsed = parseDocuments(text, lines, file, diagnostics);

  const accept = (yaml: Document.Parsed, sourceText: string, ownLines: LineCounter) => {
    const doc: SpecDocument = { file, text: sourceText, yaml, lines: ownLines, value: null };
    for (const error of yaml.errors) diagnostics.push(messages.yamlSyntax(positionAt(doc, error.pos[0]), yamlMessage(error.message)));
    for (const warning of yaml.warnings) diagnostics.push(messages.yamlWarning(positionAt(doc, warning.pos[0]), yamlMessage(warning.message)));
    if (yaml.errors.length > 0) return; // structure unreliable
    for (const offset of duplicateKeys(yaml)) diagnostics.push(messages.duplicateKey(positionAt(doc, offset), yamlKeyAt(sourceText, offset)));
    const alias = withAliases.has(yaml) ? aliasProblem(yaml) : null;
    if (alias) {
      const at = positionAt(doc, alias.offset);
      diagnostics.push(
        alias.problem === 'expansion'
          ? messages.yamlAliasExpansion(at, alias.name, MAX_ALIAS_EXPANSION)
          : alias.problem === 'count'
            ? messages.yamlTooManyAliases(at, MAX_ALIASES)
          : alias.problem === 'cycle'
            ? messages.yamlAliasCycle(at, alias.name)
            : messages.yamlAliasUnresolved(at, alias.name),
      );
      return;
    }
    let value: unknown;
    try {
      // Aliases were bounded above; the library's own count would refuse legitimate reuse.
      value = yaml.toJS({ maxAliasCount: -1 });
    } catch (error) {
      diagnostics.push(messages.yamlSyntax(positionAt(doc, (yaml.contents as Node | null)?.range?.[0] ?? 0), yamlMessage(String((error as Error).message ?? error))));
      return;
    }
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
      const sliceDocs = parseDocuments(slice, sliceLines, file, null).filter((d) => d.contents !== null);
      for (const d of sliceDocs) accept(d, slice, sliceLines);
    }
  }
  return { documents, diagnostics };
}

function yamlKeyAt(text: string, offset: number): string {
  return /^[^:\n]*/.exec(text.slice(offset))?.[0].trim() ?? '';
}

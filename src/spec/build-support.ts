/**
 * Shared by entity building (./build-entity.ts) and the set-wide checks
 * (./validate.ts): defensive readers for already shape-checked data, and the
 * checks both use (identifiers, column lists, expressions).
 */
import type { Diagnostic } from '../diagnostics/diagnostic';
import { byteLength, MAX_IDENTIFIER_BYTES } from '../model/ident';
import { deparseExpression, deparseOperand, ExpressionDeparseError, parseExpression, type ExpressionTree, type SqlExpression } from '../model/expression';
import { checkExpression, type ExpressionScope } from './expressions';
import { messages } from './messages';
import type { EntitySpec } from './model';
import { nearest } from './suggest';
import { locate, positionOf, scalarPosition, type PathSegment, type SpecDocument } from './yaml-source';

export type Raw = Record<string, unknown>;
export type Report = (d: Diagnostic) => void;

export const isMap = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
export const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const entries = (v: unknown): [string, unknown][] => (isMap(v) ? Object.entries(v) : []);

export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** An entity plus what the set-wide checks need to point back into its document. */
export interface EntityDraft {
  readonly spec: EntitySpec;
  readonly doc: SpecDocument;
  /** Which identifiers were written by the user (too long → error) rather than generated. */
  readonly tableGiven: boolean;
}

/** Names the messages use: the entity the columns belong to, and the workflow's row (alias, trigger, source entity). */
export interface ExpressionNames {
  readonly entity: string;
  readonly row: { readonly alias: string; readonly trigger: string; readonly source: string } | null;
}

export interface CheckedExpression {
  readonly tree: ExpressionTree;
  /** The checked tree put back out by the deparser; a default is parenthesised unless a primary. */
  readonly sql: SqlExpression;
}

/**
 * Parses an expression, checks it against the scope's allow-list, and deparses
 * it. Every problem is reported at its exact position inside the YAML scalar;
 * the result is null when there was any, so only checked trees become SQL.
 */
export function reportExpression(
  doc: SpecDocument,
  path: readonly PathSegment[],
  text: string,
  scope: ExpressionScope,
  names: ExpressionNames,
  report: Report,
): CheckedExpression | null {
  const node = locate(doc, path).value;
  const parsed = parseExpression(text);
  if (!parsed.ok) {
    report(messages.expressionSyntax(scalarPosition(doc, node, parsed.offset), parsed.error));
    return null;
  }
  const problems = checkExpression(parsed.tree, scope);
  for (const problem of problems) {
    report(messages.expressionProblem(scalarPosition(doc, node, problem.offset), problem, scope.context, names.entity, names.row));
  }
  if (problems.length > 0) return null;
  try {
    return { tree: parsed.tree, sql: scope.context === 'default' ? deparseOperand(parsed.tree) : deparseExpression(parsed.tree) };
  } catch (err) {
    if (!(err instanceof ExpressionDeparseError)) throw err;
    report(messages.expressionNotRendered(scalarPosition(doc, node, 0), err.message));
    return null;
  }
}

export function checkIdentifier(doc: SpecDocument, path: readonly PathSegment[], part: 'key' | 'value', what: string, name: string, report: Report): void {
  const at = positionOf(doc, path, part);
  if (!SQL_IDENTIFIER.test(name)) report(messages.badIdentifier(at, what, name));
  else if (byteLength(name) > MAX_IDENTIFIER_BYTES) report(messages.nameTooLong(at, what, name, byteLength(name)));
}

export function checkColumns(
  doc: SpecDocument,
  path: readonly PathSegment[],
  columns: readonly string[],
  fieldNames: readonly string[],
  entity: string,
  usedIn: string,
  report: Report,
): boolean {
  let ok = true;
  const seen = new Set<string>();
  columns.forEach((column, i) => {
    const at = positionOf(doc, [...path, i]);
    if (!fieldNames.includes(column)) {
      report(messages.unknownColumn(at, column, entity, usedIn, nearest(column, fieldNames)));
      ok = false;
    } else if (seen.has(column)) {
      report(messages.duplicateColumn(at, column, usedIn));
      ok = false;
    }
    seen.add(column);
  });
  return ok;
}


/** `- hint: true` items or a `{ hint: true }` map → one flat map. */
export function hintsMap(value: unknown): Raw {
  if (Array.isArray(value)) return Object.assign({}, ...value.filter(isMap));
  return isMap(value) ? value : {};
}


/**
 * The real PostgreSQL parser (libpg-query) for workflow expressions. Its WASM
 * module loads asynchronously once per process: call `loadParser()` (or the
 * spec loader, which loads it too) before generating actions.
 */
import { deparseSync, loadModule, parseSync } from 'libpg-query';

/** A parse-tree node as libpg-query returns it: `{ NodeType: { ...fields } }`. */
export type PgNode = Record<string, unknown>;

let loaded: Promise<void> | null = null;

export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

/** Parses one scalar expression as `SELECT <expr>`; throws PostgreSQL's syntax error. */
export function parseExpression(text: string): PgNode {
  const tree = parseSync(`SELECT ${text}`) as unknown as { stmts: { stmt: PgNode }[] };
  const select = tree.stmts.length === 1 ? (tree.stmts[0]!.stmt['SelectStmt'] as PgNode | undefined) : undefined;
  const targets = select?.['targetList'] as PgNode[] | undefined;
  if (!select || !targets || targets.length !== 1 || select['fromClause'] || select['whereClause']) {
    throw new Error(`not a single expression: ${text}`);
  }
  return (targets[0]!['ResTarget'] as PgNode)['val'] as PgNode;
}

/** Renders an expression tree back to SQL (PostgreSQL's own deparser: deterministic). */
export function deparseExpression(node: PgNode): string {
  const tree = {
    version: 170004,
    stmts: [{ stmt: { SelectStmt: { targetList: [{ ResTarget: { val: node } }], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } } }],
  };
  const sql = deparseSync(tree as never);
  if (!sql.startsWith('SELECT ')) throw new Error(`unexpected deparse output: ${sql}`);
  return sql.slice('SELECT '.length);
}

/** Parses a whole SQL script (used by tests and by generation self-checks). */
export function parseStatements(sql: string): number {
  const tree = parseSync(sql) as unknown as { stmts: unknown[] };
  return tree.stmts.length;
}

/** Structural equality of two expression trees, ignoring source locations. */
export function sameExpression(a: PgNode, b: PgNode): boolean {
  return JSON.stringify(stripLocations(a)) === JSON.stringify(stripLocations(b));
}

export function stripLocations(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripLocations);
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (k !== 'location') out[k] = stripLocations(v);
    return out;
  }
  return node;
}

/**
 * copy_mode: client-side COPY FROM STDIN (the fastest ingest PostgreSQL has, and one only a
 * client can run — a function cannot). Rows stream in PostgreSQL's text format straight into
 * the partitioned parent: they route to their partitions, and statement-level AFTER INSERT
 * triggers with transition tables (the workflow's enqueue trigger) fire for COPY as well.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { qualify, quoteIdent } from '../model/ident';

/** Rows as plain objects keyed by column name (interfaces welcome: no index signature needed). */
export type RowSource = Iterable<object> | AsyncIterable<object>;

export interface TableName {
  readonly schema: string;
  readonly name: string;
}

/** A COPY that PostgreSQL rejected, with the 1-based row it names (`COPY t, line 17, column quantity: "abc"`). */
export class CopyError extends Error {
  constructor(
    message: string,
    readonly row: number | null,
    readonly column: string | null,
    readonly code: string | undefined,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = 'CopyError';
  }
}

/** One value in COPY text format: `\N` for NULL; backslash, tab, newline and CR escaped. */
export function copyTextValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) text = Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    else text = String(value);
  } else if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'boolean') text = value ? 't' : 'f';
  else if (value instanceof Date) text = value.toISOString();
  else if (Buffer.isBuffer(value)) text = `\\x${value.toString('hex')}`;
  else text = JSON.stringify(value); // json/jsonb columns
  return text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** One row (a line, newline-terminated) in COPY text format. */
export function copyTextLine(row: object, columns: readonly string[]): string {
  const values = row as Readonly<Record<string, unknown>>;
  return columns.map((c) => copyTextValue(values[c])).join('\t') + '\n';
}

const CHUNK_BYTES = 256 * 1024;

async function* encode(rows: RowSource, columns: readonly string[]): AsyncGenerator<string> {
  const known = new Set(columns);
  let chunk = '';
  let n = 0;
  for await (const row of rows as AsyncIterable<object>) {
    n++;
    if (row === null || typeof row !== 'object') throw new CopyError(`row ${n}: expected an object`, n, null, undefined, null);
    for (const key of Object.keys(row)) {
      if (!known.has(key)) throw new CopyError(`row ${n}: unknown field "${key}"`, n, key, undefined, null);
    }
    chunk += copyTextLine(row, columns);
    if (chunk.length >= CHUNK_BYTES) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/**
 * Streams `rows` into `table` with COPY … FROM STDIN and returns how many rows PostgreSQL
 * loaded. Keys missing from a row are NULL; keys not in `columns` are rejected. Runs in the
 * client's current transaction if one is open (all-or-nothing either way: COPY is one statement).
 */
export async function copyRows(client: ClientBase, table: TableName, columns: readonly string[], rows: RowSource): Promise<number> {
  if (columns.length === 0) throw new Error('copyRows needs at least one column');
  const sql = `COPY ${qualify(table.schema, table.name)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`;
  const stream = client.query(copyFrom(sql));
  try {
    await pipeline(Readable.from(encode(rows, columns)), stream);
  } catch (err) {
    throw toCopyError(err);
  }
  return stream.rowCount;
}

function toCopyError(err: unknown): unknown {
  if (err instanceof CopyError) return err;
  const e = err as { message?: string; where?: string; code?: string };
  if (typeof e?.message !== 'string') return err;
  // PostgreSQL's context: `COPY sales_transaction, line 17, column quantity: "abc"`
  const where = /COPY [^,]+, line (\d+)(?:, column ([^:]+))?/.exec(e.where ?? '');
  if (!where) return new CopyError(e.message, null, null, e.code, err);
  const row = Number(where[1]);
  const column = where[2] ?? null;
  return new CopyError(`row ${row}${column ? `: field "${column}"` : ''}: ${e.message}`, row, column, e.code, err);
}

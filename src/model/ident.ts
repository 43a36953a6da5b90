/**
 * Identifier handling lives here and only here: quoting, qualification, and
 * deterministic shortening to PostgreSQL's 63-byte limit (NAMEDATALEN - 1).
 */
import { createHash } from 'node:crypto';

export const MAX_IDENTIFIER_BYTES = 63;

/** Words PostgreSQL reserves that may not appear unquoted as column names. */
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create ' +
    'current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc ' +
    'distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral ' +
    'leading limit localtime localtimestamp not null offset on only or order placing primary references returning ' +
    'select session_user some symmetric system_user table then to trailing true union unique user using variadic when where window with'
  ).split(' '),
);

/** Quotes only when needed, so generated SQL stays readable: `analytics.sales_transaction`. */
export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** A name validated as a plain SQL identifier; the only kind of name generated SQL comments
 *  may carry (a comment runs to the end of its line: no line break may get in). Throws otherwise. */
export function assertPlainIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain identifier, refused in a generated comment: ${JSON.stringify(name)}`);
  return name;
}

export function qualify(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export const byteLength = (name: string): number => Buffer.byteLength(name, 'utf8');

/**
 * Fits a generated name into 63 bytes. Names that fit are unchanged; longer
 * ones keep a readable prefix plus an 8-hex-digit hash of the full name, so two
 * long names that share a prefix still differ (PostgreSQL itself would silently
 * truncate both to the same identifier).
 */
export function fitIdentifier(name: string): string {
  if (byteLength(name) <= MAX_IDENTIFIER_BYTES) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  let prefix = name;
  while (byteLength(prefix) > MAX_IDENTIFIER_BYTES - 9) prefix = prefix.slice(0, -1);
  return `${prefix}_${hash}`;
}

/** `SalesTransaction` → `sales_transaction`; `HTTPLog` → `http_log`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .toLowerCase();
}

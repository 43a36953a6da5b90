/**
 * Which contrib extensions the indexes need. GiST and GIN have default
 * operator classes only for a few non-scalar types; on plain scalar columns
 * (text, uuid, timestamptz, numeric…) PostgreSQL fails with 42704 "has no
 * default operator class" unless btree_gist / btree_gin provide one.
 */
import type { IndexMethod } from '../spec/model';

/** Types with a built-in default GiST operator class (geometry, full text, ranges). */
const NATIVE_GIST = /^(point|box|polygon|circle|tsvector|tsquery|(int4|int8|num|ts|tstz|date)(multi)?range)$/;

/** Types with a built-in default GIN operator class: arrays, jsonb, tsvector. */
const NATIVE_GIN = /(\[\]$)|^(jsonb|tsvector)$/;

/** Strips a type modifier: `numeric(10,2)` → `numeric`, `character varying(40)` → `character varying`. */
const baseType = (type: string): string => type.replace(/\(.*?\)/g, '').trim();

/** The extension an index of `method` needs for a column of `type`, or null. */
export function extensionForColumn(method: IndexMethod, type: string): 'btree_gist' | 'btree_gin' | null {
  const base = baseType(type);
  if (method === 'gist' && !NATIVE_GIST.test(base)) return 'btree_gist';
  if (method === 'gin' && !NATIVE_GIN.test(base)) return 'btree_gin';
  return null;
}

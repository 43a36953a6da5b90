/**
 * Partition indexes are named `<partition>_<index>` (naming.ts partitionIndexName)
 * however the partition came to be: the planner creates them by name; when the
 * maintenance function ATTACHes a partition, PostgreSQL creates the missing
 * child indexes under names of its own choosing (`<partition>_<columns>_idx`),
 * so these plpgsql lines rename them right after the ATTACH, in the same
 * transaction. Indexes backing a constraint (the primary key) keep PostgreSQL's
 * `<partition>_pkey`, the same in every path.
 */
import { MAX_IDENTIFIER_BYTES } from '../model/ident';

/** plpgsql mirror of fitIdentifier() for the variable `name` (hash in `hash`). */
export function shortenNameLines(name: string, hash: string): string[] {
  const keep = MAX_IDENTIFIER_BYTES - 9;
  return [
    `    -- Same rule as fitIdentifier(): names over ${MAX_IDENTIFIER_BYTES} bytes keep a prefix plus 8 hex digits of sha256.`,
    `    IF octet_length(${name}) > ${MAX_IDENTIFIER_BYTES} THEN`,
    `      ${hash} := left(encode(sha256(convert_to(${name}, 'UTF8')), 'hex'), 8);`,
    `      WHILE octet_length(${name}) > ${keep} LOOP`,
    `        ${name} := left(${name}, -1);`,
    `      END LOOP;`,
    `      ${name} := ${name} || '_' || ${hash};`,
    `    END IF;`,
  ];
}

/** Declarations the rename lines use. */
export const RENAME_CHILD_INDEX_DECLARATIONS = ['  v_index record;', '  v_index_name text;', '  v_index_hash text;'];

/** After `ATTACH PARTITION v_schema.v_name`: rename its child indexes to `<partition>_<parent index>`. */
export function renameChildIndexesLines(indent: string): string[] {
  const lines = [
    '-- Child indexes are named <partition>_<index> everywhere (PostgreSQL picked its own names).',
    'FOR v_index IN',
    '  SELECT c.relname AS child, p.relname AS parent_index',
    '  FROM pg_index x',
    '  JOIN pg_class c ON c.oid = x.indexrelid',
    '  JOIN pg_inherits i ON i.inhrelid = x.indexrelid',
    '  JOIN pg_class p ON p.oid = i.inhparent',
    "  WHERE x.indrelid = format('%I.%I', v_schema, v_name)::regclass",
    '    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = p.oid)',
    '  ORDER BY 2',
    'LOOP',
    "  v_index_name := v_name || '_' || v_index.parent_index;",
    ...shortenNameLines('v_index_name', 'v_index_hash').map((l) => l.replace(/^ {4}/, '  ')),
    '  IF v_index.child <> v_index_name THEN',
    "    EXECUTE format('ALTER INDEX %I.%I RENAME TO %I', v_schema, v_index.child, v_index_name);",
    '  END IF;',
    'END LOOP;',
  ];
  return lines.map((l) => indent + l);
}

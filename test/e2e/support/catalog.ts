/** Reads a database's user objects straight from pg_catalog: what the e2e asserts changed (or did not). */
import { withClient } from '../../../src/db/connection';

/**
 * Every user object (schema, relation, index with its validity, function,
 * trigger, extension), one sorted line each: two equal snapshots mean nothing
 * was created, dropped or invalidated in between.
 */
export async function catalogSnapshot(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query(`
      SELECT 'schema ' || n.nspname AS line FROM pg_namespace n
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'
      UNION ALL
      SELECT 'relation ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'
         AND c.relkind <> 'i' AND c.relkind <> 'I'
      UNION ALL
      SELECT 'index ' || n.nspname || '.' || c.relname || CASE WHEN x.indisvalid THEN '' ELSE ' INVALID' END
        FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      UNION ALL
      SELECT 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
      UNION ALL
      SELECT 'trigger ' || t.tgrelid::regclass::text || '.' || t.tgname FROM pg_trigger t WHERE NOT t.tgisinternal
      UNION ALL
      SELECT 'extension ' || e.extname FROM pg_extension e
      ORDER BY 1`);
    return r.rows.map((row) => row.line as string);
  });
}

export async function tablesIn(url: string, schema: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
      [schema],
    );
    return r.rows.map((row) => row.relname as string);
  });
}

/** The index on a partitioned table and how many partitions' indexes are attached to it (pg_inherits). */
export async function partitionedIndex(url: string, schema: string, index: string): Promise<{ valid: boolean; attached: number; partitions: number } | null> {
  return withClient(url, async (c) => {
    const r = await c.query(
      `SELECT x.indisvalid AS valid,
              (SELECT count(*)::int FROM pg_inherits i WHERE i.inhparent = c.oid) AS attached,
              (SELECT count(*)::int FROM pg_inherits i WHERE i.inhparent = x.indrelid) AS partitions
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index x ON x.indexrelid = c.oid
        WHERE n.nspname = $1 AND c.relname = $2`,
      [schema, index],
    );
    return (r.rows[0] as { valid: boolean; attached: number; partitions: number } | undefined) ?? null;
  });
}

export async function execute(url: string, sql: string): Promise<void> {
  await withClient(url, (c) => c.query(sql));
}

export async function count(url: string, sql: string): Promise<number> {
  return withClient(url, async (c) => Number((await c.query(sql)).rows[0].n));
}

/**
 * Catalog SQL, one query per object kind across all requested schemas ($1 is
 * the schema name array). The reader runs them in one read-only transaction
 * with TimeZone=UTC so partition bounds print with a +00 offset.
 */

export const SCHEMAS = `SELECT nspname AS name FROM pg_namespace WHERE nspname = ANY($1::text[])`;

export const EXTENSIONS = `SELECT e.extname AS name, n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY e.extname`;

/** Tables (plain and partitioned parents, not partitions). Archived partitions
 *  are plain tables too; the marker tells them apart. */
export const TABLES = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind AS relkind, c.reltuples::float8 AS reltuples,
       obj_description(c.oid, 'pg_class') AS comment,
       (SELECT coalesce(json_agg(json_build_object('grantee', CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(g.grantee) END,
                                                  'privilege', g.privilege_type, 'grantable', g.is_grantable)), '[]'::json)
          FROM aclexplode(c.relacl) g WHERE g.grantee <> c.relowner) AS grants,
       pt.partstrat AS strategy,
       (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = pt.partattrs[0]) AS partition_column
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY 1, 2`;

export const COLUMNS = `
SELECT n.nspname AS schema, c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity <> '' AS identity
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, 2, a.attnum`;

export const CONSTRAINTS = `
SELECT n.nspname AS schema, c.relname AS table, con.conname AS name, con.contype AS type,
       array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[]) AND con.contype IN ('p', 'u') AND NOT c.relispartition
  AND con.conparentid = 0
ORDER BY 1, 2, 3`;

export const PARTITIONS = `
SELECT n.nspname AS schema, c.relname AS name, pn.nspname AS parent_schema, p.relname AS parent_name,
       pg_get_expr(c.relpartbound, c.oid) AS bound, c.reltuples::float8 AS reltuples,
       obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_inherits i ON i.inhrelid = c.oid
JOIN pg_class p ON p.oid = i.inhparent
JOIN pg_namespace pn ON pn.oid = p.relnamespace
WHERE pn.nspname = ANY($1::text[]) AND c.relispartition AND c.relkind IN ('r', 'p')
ORDER BY 3, 4, 2`;

/** Every index on a table, partition or materialized view in the schemas, with
 *  its key columns, and the parent index it is attached to (if any). Indexes
 *  that back a constraint are reported by CONSTRAINTS instead. */
export const INDEXES = `
SELECT n.nspname AS schema, ic.relname AS name, tn.nspname AS table_schema, t.relname AS table_name,
       t.relkind AS table_kind, t.relispartition AS on_partition, am.amname AS method, x.indisunique AS unique,
       x.indisvalid AS valid, ic.reloptions AS options, obj_description(ic.oid, 'pg_class') AS comment,
       (x.indexprs IS NOT NULL OR x.indpred IS NOT NULL) AS has_expressions,
       pi.relname AS parent_index, pin.nspname AS parent_index_schema,
       EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid AND con.contype IN ('p', 'u', 'x')) AS backs_constraint,
       array(SELECT coalesce(a.attname, '?') FROM generate_subscripts(x.indkey, 1) s(i)
             LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[s.i]
             WHERE s.i < x.indnkeyatts ORDER BY s.i)::text[] AS columns,
       array(SELECT (x.indoption[s.i] & 1) = 1 FROM generate_subscripts(x.indkey, 1) s(i)
             WHERE s.i < x.indnkeyatts ORDER BY s.i)::bool[] AS descending,
       array(SELECT CASE WHEN oc.opcdefault THEN '' ELSE oc.opcname END FROM generate_subscripts(x.indkey, 1) s(i)
             JOIN pg_opclass oc ON oc.oid = x.indclass[s.i]
             WHERE s.i < x.indnkeyatts ORDER BY s.i)::text[] AS opclasses
FROM pg_index x
JOIN pg_class ic ON ic.oid = x.indexrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_inherits inh ON inh.inhrelid = ic.oid
LEFT JOIN pg_class pi ON pi.oid = inh.inhparent
LEFT JOIN pg_namespace pin ON pin.oid = pi.relnamespace
WHERE tn.nspname = ANY($1::text[]) AND t.relkind IN ('r', 'p', 'm')
ORDER BY 1, 2`;

/** Ordinary functions (not procedures, not from extensions). */
export const FUNCTIONS = `
SELECT n.nspname AS schema, p.proname AS name,
       coalesce(p.proargnames, ARRAY[]::text[]) AS arg_names,
       array(SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, o) ORDER BY o)::text[] AS arg_types,
       pg_get_function_result(p.oid) AS returns, l.lanname AS language, p.prosrc AS body,
       p.provolatile AS volatility, p.prosecdef AS security_definer, p.proconfig AS config,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute,
       (SELECT coalesce(json_agg(json_build_object('grantee', CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(g.grantee) END,
                                                  'privilege', g.privilege_type, 'grantable', g.is_grantable)), '[]'::json)
          FROM aclexplode(p.proacl) g WHERE g.grantee <> p.proowner) AS grants,
       obj_description(p.oid, 'pg_proc') AS comment
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname = ANY($1::text[]) AND p.prokind = 'f'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1, 2`;

/** User triggers; clones on partitions (tgparentid <> 0) belong to the parent's. */
export const TRIGGERS = `
SELECT tg.tgname AS name, n.nspname AS table_schema, c.relname AS table_name, tg.tgtype::int AS type,
       tg.tgnewtable AS new_table, fn.nspname AS function_schema, f.proname AS function_name,
       obj_description(tg.oid, 'pg_trigger') AS comment
FROM pg_trigger tg
JOIN pg_class c ON c.oid = tg.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc f ON f.oid = tg.tgfoid
JOIN pg_namespace fn ON fn.oid = f.pronamespace
WHERE n.nspname = ANY($1::text[]) AND NOT tg.tgisinternal AND tg.tgparentid = 0
ORDER BY 2, 3, 1`;

export const MATERIALIZED_VIEWS = `
SELECT n.nspname AS schema, c.relname AS name, pg_get_viewdef(c.oid, true) AS query, c.relispopulated AS populated,
       obj_description(c.oid, 'pg_class') AS comment,
       (SELECT coalesce(json_agg(json_build_object('grantee', CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(g.grantee) END,
                                                  'privilege', g.privilege_type, 'grantable', g.is_grantable)), '[]'::json)
          FROM aclexplode(c.relacl) g WHERE g.grantee <> c.relowner) AS grants
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[]) AND c.relkind = 'm'
ORDER BY 1, 2`;

export const CRON_AVAILABLE = `SELECT to_regclass('cron.job') IS NOT NULL AS available,
  EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') AS installed`;

export const CRON_JOBS = `SELECT jobname AS name, schedule, command FROM cron.job WHERE database = current_database() AND jobname IS NOT NULL ORDER BY jobname`;

/** Views (materialized or plain, in any schema) reading columns of tables in the schemas:
 *  the dependencies of their rewrite rules on single columns. */
export const VIEW_DEPENDENCIES = `
SELECT DISTINCT vn.nspname AS view_schema, v.relname AS view_name, v.relkind = 'm' AS materialized,
       tn.nspname AS table_schema, t.relname AS table_name, a.attname AS column
FROM pg_depend d
JOIN pg_rewrite r ON r.oid = d.objid
JOIN pg_class v ON v.oid = r.ev_class
JOIN pg_namespace vn ON vn.oid = v.relnamespace
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
  AND v.oid <> t.oid AND tn.nspname = ANY($1::text[])
ORDER BY 1, 2, 4, 5, 6`;

/** Column defaults of partitions (a partition keeps its own copy of each default; one made
 *  standalone and attached has only those it was created with). */
export const PARTITION_COLUMN_DEFAULTS = `
SELECT n.nspname AS schema, c.relname AS partition, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
       pg_get_expr(d.adbin, d.adrelid) AS default
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_inherits i ON i.inhrelid = c.oid
JOIN pg_class p ON p.oid = i.inhparent
JOIN pg_namespace pn ON pn.oid = p.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE pn.nspname = ANY($1::text[]) AND c.relispartition AND c.relkind IN ('r', 'p')
  AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity = ''
ORDER BY 1, 2, a.attnum`;

/**
 * The structural checks, as plpgsql blocks like ./performance-checks.ts: every
 * declared index valid on every partition, enough future partitions, an empty
 * DEFAULT partition, no SECURITY DEFINER function without a pinned search_path.
 */
import type { EntitySpec } from '../spec/model';
import { defaultPartitionName } from '../desired/naming';
import { fitIdentifier, qualify, quoteLiteral } from '../model/ident';
import type { ServerCheck } from './types';
import { check, partitionColumnType, STANDARD } from './check-block';
import { asColumnType, partitionBoundsQuery, tableOf, windowSql } from './sql';

/** S1. A declared index exists and is valid on the table and on every partition. */
export function indexValidCheck(entity: EntitySpec, indexName: string, on: 'table' | 'view'): ServerCheck {
  const name = fitIdentifier(indexName);
  const relation = on === 'view' ? qualify(entity.schema, fitIdentifier(entity.materializedView!.name)) : tableOf(entity);
  const what = on === 'view' ? `the unique key index ${name} of ${entity.materializedView!.name}` : `index ${name}`;
  const partitioned = on === 'table' && entity.partitioning !== null;
  const find = [
    "SELECT c.oid, x.indisvalid AND x.indisready INTO v_index, v_valid",
    'FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index x ON x.indexrelid = c.oid',
    `WHERE n.nspname = ${quoteLiteral(entity.schema)} AND c.relname = ${quoteLiteral(name)} AND x.indrelid = ${quoteLiteral(relation)}::regclass;`,
  ];
  const body = partitioned
    ? [
        ...find,
        'IF v_index IS NULL THEN',
        "  v_ok := false; v_measured := 'missing';",
        'ELSE',
        '  SELECT count(*), count(*) FILTER (WHERE s.covered), string_agg(s.name, \', \' ORDER BY s.name) FILTER (WHERE NOT s.covered)',
        '    INTO v_n, v_covered, v_text',
        '  FROM (',
        '    SELECT c.relname::text AS name, EXISTS (',
        '      SELECT 1 FROM pg_partition_tree(v_index) AS i JOIN pg_index x ON x.indexrelid = i.relid',
        '      WHERE x.indrelid = p.relid AND x.indisvalid AND x.indisready) AS covered',
        `    FROM pg_partition_tree(${quoteLiteral(relation)}::regclass) AS p JOIN pg_class c ON c.oid = p.relid`,
        '    WHERE p.isleaf AND p.level > 0) AS s;',
        '  v_ok := v_valid AND v_text IS NULL;',
        "  v_measured := 'valid on ' || v_covered || ' of ' || v_n || ' partitions' || CASE WHEN v_valid THEN '' ELSE ', parent index invalid' END;",
        "  IF v_text IS NOT NULL THEN v_details := 'missing or invalid on ' || v_text; END IF;",
        'END IF;',
      ]
    : [...find, 'v_ok := coalesce(v_valid, false);', "v_measured := CASE WHEN v_index IS NULL THEN 'missing' WHEN v_valid THEN 'valid' ELSE 'invalid' END;"];
  return check(entity, 'indexes_valid', `${entity.entity}: ${what} exists and is valid${partitioned ? ' on every partition' : ''}`, body, 60_000, ['v_index oid', 'v_valid boolean', 'v_covered bigint']);
}

/** S2. At least `premake` partitions beyond the current interval exist. */
export function futurePartitionsCheck(entity: EntitySpec, premake: number): ServerCheck {
  const type = partitionColumnType(entity);
  return check(entity, 'future_partitions', `${entity.entity}: at least ${premake} future partition${premake === 1 ? '' : 's'} ready (premake)`, [
    windowSql(entity),
    'SELECT count(*), max(b.upper_bound)::text INTO v_n, v_text',
    `FROM (${partitionBoundsQuery(entity)}) AS b`,
    `WHERE NOT b.is_default AND b.lower_bound >= ${asColumnType('v_to', type)};`,
    `v_ok := v_n >= ${premake};`,
    `v_measured := v_n || ' future partition' || CASE WHEN v_n = 1 THEN '' ELSE 's' END || coalesce(', the last ending ' || v_text, '');`,
    `IF NOT v_ok THEN v_details := 'run specql maintain (or the worker) to create them'; END IF;`,
  ], 60_000);
}

/** S3. The DEFAULT partition holds no rows. */
export function defaultEmptyCheck(entity: EntitySpec): ServerCheck {
  const name = defaultPartitionName(fitIdentifier(entity.table));
  const qualified = qualify(entity.schema, name);
  return check(entity, 'default_empty', `${entity.entity}: the DEFAULT partition ${name} is empty`, [
    `IF to_regclass(${quoteLiteral(qualified)}) IS NULL THEN`,
    `  v_ok := false; v_measured := ${quoteLiteral(`no DEFAULT partition ${name}`)};`,
    'ELSE',
    `  EXECUTE ${quoteLiteral(`SELECT count(*) FROM ${qualified}`)} INTO v_n;`,
    '  v_ok := v_n = 0;',
    "  v_measured := v_n || ' rows';",
    "  IF v_n > 0 THEN v_details := 'rows outside the partition window wait there: run specql maintain to move them into their partitions'; END IF;",
    'END IF;',
  ], 120_000);
}

/** S4. Every SECURITY DEFINER function in the specs' schemas pins search_path. */
export function definerSearchPathCheck(schema: string): ServerCheck {
  return {
    where: 'server',
    kind: 'definer_search_path',
    entity: null,
    schema,
    description: `schema ${schema}: every SECURITY DEFINER function pins search_path`,
    declarations: [...STANDARD, 'v_unpinned bigint'],
    block: [
      "SELECT count(*), count(*) FILTER (WHERE NOT s.pinned), string_agg(s.name, ', ' ORDER BY s.name) FILTER (WHERE NOT s.pinned)",
      '  INTO v_n, v_unpinned, v_text',
      'FROM (',
      "  SELECT p.oid::regprocedure::text AS name, EXISTS (SELECT 1 FROM unnest(p.proconfig) AS c(setting) WHERE c.setting LIKE 'search\\_path=%') AS pinned",
      '  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace',
      `  WHERE n.nspname = ${quoteLiteral(schema)} AND p.prosecdef) AS s;`,
      'v_ok := v_unpinned = 0;',
      "v_measured := v_n || ' SECURITY DEFINER function' || CASE WHEN v_n = 1 THEN '' ELSE 's' END || ', ' || v_unpinned || ' without a pinned search_path';",
      "IF v_text IS NOT NULL THEN v_details := 'no SET search_path: ' || v_text; END IF;",
    ].join('\n'),
    timeoutMs: 60_000,
  };
}

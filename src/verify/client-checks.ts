/**
 * The two checks that need several sessions, run from the client:
 * 4. REINDEX CONCURRENTLY of one partition's index while a reader queries
 *    that partition (REINDEX CONCURRENTLY cannot run in a transaction or a
 *    function, so pgTAP cannot do it);
 * 8. C clients inserting through a pool at once.
 * Both leave nothing behind: the rebuilt index replaces the old one under the
 * same name (a failed rebuild's leftover `_ccnew` index is dropped), and every
 * insert is rolled back.
 */
import { performance } from 'node:perf_hooks';
import { Pool, type Client } from 'pg';
import { connect } from '../db/connection';
import { rowGenerator } from '../loadtest/synthetic';
import { formatMs, percentile } from '../loadtest/stats';
import { fitIdentifier, qualify, quoteIdent, quoteLiteral } from '../model/ident';
import type { EntitySpec, IndexSpec } from '../spec/model';
import { formatDuration } from '../spec/verify-settings';
import { asColumnType, intervalNoun, partitionBoundsQuery, tableOf, windowQuery } from './sql';
import type { CheckOutcome, ClientCheck, ClientContext } from './types';

const partitionColumnType = (entity: EntitySpec): string => entity.fields.find((f) => f.name === entity.partitioning?.column)?.type ?? 'timestamp with time zone';

async function currentWindow(client: Client, entity: EntitySpec): Promise<{ from: Date; to: Date }> {
  const { rows } = await client.query<{ v_from: Date; v_to: Date }>(windowQuery(entity));
  return { from: rows[0]!.v_from, to: rows[0]!.v_to };
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** 4. A reader's queries on one partition stay fast while that partition's index is rebuilt concurrently. */
export function concurrentReindexCheck(entity: EntitySpec, index: IndexSpec): ClientCheck {
  const p = entity.partitioning!;
  const type = partitionColumnType(entity);
  const bound = asColumnType('$1::timestamptz', type);
  const parentIndex = qualify(entity.schema, fitIdentifier(index.name));
  const locate = [
    'SELECT b.oid::int8 AS oid, b.name, ci.relname AS index_name',
    `FROM (${partitionBoundsQuery(entity)}) AS b`,
    'LEFT JOIN LATERAL (',
    `  SELECT c.relname::text FROM pg_partition_tree(${quoteLiteral(parentIndex)}::regclass) AS i`,
    '  JOIN pg_index x ON x.indexrelid = i.relid JOIN pg_class c ON c.oid = i.relid',
    '  WHERE x.indrelid = b.oid) AS ci ON true',
    `WHERE NOT b.is_default AND b.lower_bound <= ${bound} AND b.upper_bound > ${bound}`,
  ].join('\n');
  const reader = `SELECT 1 FROM ${tableOf(entity)} WHERE ${quoteIdent(p.column)} >= ${asColumnType('$1::timestamptz', type)} AND ${quoteIdent(p.column)} < ${asColumnType('$2::timestamptz', type)} LIMIT 1`;
  const bound_ = entity.verify.readerWaitMs;
  return {
    where: 'client',
    kind: 'concurrent_reindex',
    entity: entity.entity,
    schema: entity.schema,
    description: `${entity.entity}: REINDEX CONCURRENTLY of ${index.name} on this ${intervalNoun(p.interval)}'s partition keeps readers waiting < ${formatDuration(bound_)}`,
    pgTapSkip: 'REINDEX CONCURRENTLY cannot run inside a function or transaction: run specql verify',
    async run({ databaseUrl, client }: ClientContext): Promise<CheckOutcome> {
      const window = await currentWindow(client, entity);
      const found = await client.query<{ oid: string; name: string; index_name: string | null }>(locate, [window.from]);
      const target = found.rows[0];
      if (!target) return { ok: false, measured: 'no partition for the current interval', details: ['run specql maintain to create it'] };
      if (!target.index_name) return { ok: false, measured: `${index.name} is missing on ${target.name}`, details: [] };
      const childIndex = qualify(entity.schema, target.index_name);
      const rebuilder = await connect(databaseUrl, 'specql verify: reindex');
      const reading = await connect(databaseUrl, 'specql verify: reader');
      const latencies: number[] = [];
      let rebuilding = true;
      let firstRead!: () => void;
      const started = new Promise<void>((resolve) => (firstRead = resolve));
      try {
        await rebuilder.query("SET statement_timeout = '10min'");
        const readerLoop = (async () => {
          do {
            const t0 = performance.now();
            await reading.query(reader, [window.from, window.to]);
            latencies.push(performance.now() - t0);
            firstRead();
          } while (rebuilding);
        })();
        await started;
        latencies.length = 0; // only queries that overlap the rebuild count
        const t0 = performance.now();
        let failure: string | null = null;
        try {
          await rebuilder.query(`REINDEX INDEX CONCURRENTLY ${childIndex}`);
        } catch (err) {
          failure = messageOf(err);
        }
        const rebuildMs = performance.now() - t0;
        rebuilding = false;
        await readerLoop;
        if (failure !== null) {
          await dropLeftovers(rebuilder, entity.schema, target.oid, target.index_name);
          return { ok: false, measured: `error: ${failure}`, details: [`REINDEX INDEX CONCURRENTLY ${childIndex}`] };
        }
        const worst = Math.max(...latencies);
        return {
          ok: worst <= bound_,
          measured: `reader waited at most ${formatMs(worst)} over ${latencies.length} quer${latencies.length === 1 ? 'y' : 'ies'} during a ${formatMs(rebuildMs)} rebuild of ${target.index_name}`,
          details: [],
        };
      } finally {
        rebuilding = false;
        await rebuilder.end().catch(() => undefined);
        await reading.end().catch(() => undefined);
      }
    },
  };
}

/** A failed REINDEX CONCURRENTLY leaves an invalid `<index>_ccnew` behind: remove it. */
async function dropLeftovers(client: Client, schema: string, partitionOid: string, indexName: string): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
     WHERE x.indrelid = $1::oid AND NOT x.indisvalid AND c.relname LIKE $2`,
    [partitionOid, `${indexName.replace(/[\\%_]/g, '\\$&')}\\_ccnew%`],
  );
  for (const r of rows) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${qualify(schema, r.name)}`);
}

const INSERTS_PER_CLIENT = 25;
const ROWS_PER_INSERT = 20;

/** 8. C clients through a pool insert at once without errors; p99 latency within budget. Every insert is rolled back. */
export function concurrentClientsCheck(entity: EntitySpec): ClientCheck {
  const { clients, clientP99Ms } = entity.verify;
  return {
    where: 'client',
    kind: 'concurrent_clients',
    entity: entity.entity,
    schema: entity.schema,
    description: `${entity.entity}: ${clients} concurrent clients insert through a pool without errors, p99 < ${formatDuration(clientP99Ms)}`,
    pgTapSkip: 'needs several sessions at once: run specql verify',
    async run({ databaseUrl, client }: ClientContext): Promise<CheckOutcome> {
      const window = await currentWindow(client, entity);
      const intKeys = entity.fields.filter((f) => entity.primaryKey.includes(f.name) && /^(smallint|integer|bigint)$/.test(f.type));
      let offset = 0;
      for (const f of intKeys) {
        const { rows } = await client.query<{ m: string | null }>(`SELECT max(${quoteIdent(f.name)})::text AS m FROM ${tableOf(entity)}`);
        offset = Math.max(offset, Number(rows[0]?.m ?? 0));
      }
      const seed = Math.floor(Math.random() * 2 ** 31);
      const generator = rowGenerator(entity, seed, { fromMs: window.from.getTime(), toMs: window.to.getTime() }, { uniqueOffset: offset });
      const columns = generator.columns;
      const placeholders = Array.from({ length: ROWS_PER_INSERT }, (_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
      const insert = `INSERT INTO ${tableOf(entity)} (${columns.map(quoteIdent).join(', ')}) VALUES ${placeholders.join(', ')}`;
      const pool = new Pool({ connectionString: databaseUrl, max: clients, application_name: 'specql verify: clients' });
      pool.on('error', () => undefined); // an idle client's error surfaces in its next query
      const latencies: number[] = [];
      const errors: string[] = [];
      try {
        await Promise.all(
          Array.from({ length: clients }, async (_, c) => {
            for (let k = 0; k < INSERTS_PER_CLIENT; k++) {
              const first = (c * INSERTS_PER_CLIENT + k) * ROWS_PER_INSERT;
              const values = Array.from({ length: ROWS_PER_INSERT }, (_, r) => generator.row(first + r)).flatMap((row) => columns.map((col) => row[col]));
              const session = await pool.connect();
              try {
                await session.query('BEGIN');
                await session.query("SET LOCAL lock_timeout = '5s'");
                const t0 = performance.now();
                await session.query(insert, values);
                latencies.push(performance.now() - t0);
              } catch (err) {
                errors.push(messageOf(err));
              } finally {
                await session.query('ROLLBACK').catch(() => undefined);
                session.release();
              }
            }
          }),
        );
      } finally {
        await pool.end();
      }
      const p99 = percentile(latencies, 99);
      const total = clients * INSERTS_PER_CLIENT;
      return {
        ok: errors.length === 0 && p99 <= clientP99Ms,
        measured: `${clients} clients, ${total} inserts of ${ROWS_PER_INSERT} rows: ${errors.length} error${errors.length === 1 ? '' : 's'}, p50 ${formatMs(percentile(latencies, 50))}, p99 ${formatMs(p99)}`,
        details: errors.length ? [`first error: ${errors[0]}`] : [],
      };
    },
  };
}

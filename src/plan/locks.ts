/**
 * Which lock each kind of statement takes on the table it touches, from the
 * PostgreSQL docs ("Table-Level Locks", ALTER TABLE / ALTER INDEX pages, PG 12+).
 * Steps carry the value so the plan shows what writers and readers will feel.
 */
import type { LockMode } from '../model/step';

export const LOCKS = {
  createIndexConcurrently: 'SHARE UPDATE EXCLUSIVE',
  createIndexOnOnly: 'SHARE',
  dropIndexConcurrently: 'SHARE UPDATE EXCLUSIVE',
  /** DROP INDEX on a partitioned parent cannot be CONCURRENTLY: brief ACCESS EXCLUSIVE on the table. */
  dropIndex: 'ACCESS EXCLUSIVE',
  /** ALTER INDEX … ATTACH PARTITION / RENAME (PG 12+). */
  alterIndex: 'SHARE UPDATE EXCLUSIVE',
  /** ADD/DROP COLUMN, ALTER TYPE, SET/DROP DEFAULT, SET/DROP NOT NULL, ADD CONSTRAINT. */
  alterTable: 'ACCESS EXCLUSIVE',
  validateConstraint: 'SHARE UPDATE EXCLUSIVE',
  /** ATTACH PARTITION locks the parent SHARE UPDATE EXCLUSIVE, the DEFAULT partition ACCESS EXCLUSIVE. */
  attachPartition: 'SHARE UPDATE EXCLUSIVE',
  detachPartition: 'ACCESS EXCLUSIVE',
  comment: 'SHARE UPDATE EXCLUSIVE',
  createTrigger: 'SHARE ROW EXCLUSIVE',
  dropTrigger: 'ACCESS EXCLUSIVE',
  dropTable: 'ACCESS EXCLUSIVE',
  renameView: 'ACCESS EXCLUSIVE',
  none: 'none',
} as const satisfies Record<string, LockMode>;

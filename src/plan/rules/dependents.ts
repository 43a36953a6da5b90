/**
 * Views that read a column the plan retypes or drops. PostgreSQL refuses both
 * while such a view exists (0A000 "cannot alter type of a column used by a view
 * or rule", 2BP01 on DROP COLUMN), so:
 *  - a materialized view specql manages and keeps is put aside before a type
 *    change (a plain-table snapshot serves its readers, render/materialized-views.ts)
 *    and rebuilt after it (planView sees the reason in ctx.rebuildViews);
 *  - for a dropped column the view's query no longer reads it (the spec is
 *    validated), so its ordinary rebuild runs first: column drops come after
 *    the Views phase (order.ts);
 *  - a view specql does not manage (or a plain view) cannot be rebuilt by us:
 *    the plan says so as an error, before anything runs.
 */
import { formatMarker } from '../../model/markers';
import type { QualifiedName, TableObject } from '../../model/objects';
import { snapshotMaterializedView } from '../../render/materialized-views';
import { emitAll, type PlanContext } from '../context';
import { Phase } from '../order';

const same = (a: QualifiedName, b: QualifiedName): boolean => a.schema === b.schema && a.name === b.name;

export function aroundDependentViews(ctx: PlanContext, table: TableObject, column: string, change: 'type' | 'drop', why: string): void {
  const readers = ctx.live.viewDependencies.filter((d) => same(d.table, table) && d.column === column);
  for (const dep of readers) {
    const key = `materialized_view:${dep.view.schema}.${dep.view.name}`;
    const live = ctx.liveByKey.get(key);
    const managed = dep.materialized && live !== undefined && ctx.owned(live);
    if (managed && !ctx.desiredByKey.has(key)) continue; // dropped before the column changes (DropViews phase)
    if (managed && change === 'drop') continue; // its query changed with the spec; rebuilt before the drop
    if (managed) {
      const reason = ctx.rebuildViews.get(key);
      ctx.rebuildViews.set(key, reason ? `${reason}; ${why}` : why);
      if (reason !== undefined) continue; // already put aside for another column
      const marker = formatMarker(ctx.liveEntity(live) ?? '', { snapshot: '1' });
      emitAll(ctx, Phase.DropViews, snapshotMaterializedView(dep.view, why, marker, ctx.live.grants.get(key) ?? []));
      continue;
    }
    ctx.diagnose({
      code: 'plan.column_used_by_view',
      severity: 'error',
      subject: `${dep.materialized ? 'materialized_view' : 'view'}:${dep.view.schema}.${dep.view.name}`,
      message: `${table.schema}.${table.name}.${column}: ${why}, but ${dep.materialized ? 'materialized view' : 'view'} ${dep.view.schema}.${dep.view.name}, which specql does not manage, reads it; PostgreSQL refuses the change while it exists`,
      hint: `drop ${dep.view.schema}.${dep.view.name} first and create it again after the apply`,
    });
  }
}

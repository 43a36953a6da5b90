/**
 * The one place the provider touches the engine (src/engine, src/spec,
 * src/desired, src/plan): every call the Entity handlers make goes through
 * here, reduced to the few shapes they need.
 */
import { hasErrors } from '../diagnostics/diagnostic';
import { renderDiagnostic } from '../diagnostics/render';
import { generationDiagnostics } from '../desired/check';
import type { DbObject, EntityOutputs } from '../model/objects';
import type { HazardCode } from '../model/step';
import type { EntitySpec, SpecSet } from '../spec/model';
import type { SpecSource } from './discover';
import { buildDesired } from '../desired/build';
import * as engine from '../engine';
import { loadExpressionParser, loadSpecSources } from '../spec/load';
import { renderScript } from '../plan/script';
import { groupSteps } from '../plan/format/group';

export type Specs = SpecSet;
export type EntitySpecLike = EntitySpec;

export interface EngineOptions {
  readonly databaseUrl: string;
  readonly today?: string;
  readonly premake?: number;
  readonly retention?: number | null;
  readonly refreshOverrides?: Readonly<Record<string, string>>;
  readonly allowHazards?: readonly string[];
  readonly entities?: readonly string[];
  readonly lockWaitMs?: number;
}

/** `file:line:col: message (fix: hint)`: one line per problem, as `specql validate` prints them. */
export interface Loaded {
  readonly specs: Specs;
  /** Errors only, rendered; warnings do not block. */
  readonly errors: string[];
}

/** The same loading and validation as `specql validate`, on the texts carried by the resource. */
export async function load(sources: readonly SpecSource[]): Promise<Loaded> {
  await loadExpressionParser();
  const { specs, diagnostics } = loadSpecSources(sources);
  // The generator's own checks too, exactly as `specql validate` runs them.
  const all = hasErrors(diagnostics) ? diagnostics : [...diagnostics, ...generationDiagnostics(specs)];
  return { specs, errors: all.filter((d) => d.severity === 'error').map(renderDiagnostic) };
}

export interface PlannedEntity {
  /** Each step's SQL, preceded by a `-- n. description [hazards]` comment line. */
  readonly sql: string[];
  readonly steps: readonly unknown[];
  readonly hazards: string[];
}

const engineOptions = (options: EngineOptions): engine.EngineOptions => ({
  ...options,
  refreshOverrides: { ...(options.refreshOverrides ?? {}) },
  allowHazards: [...(options.allowHazards ?? [])] as HazardCode[],
  entities: options.entities ? [...options.entities] : undefined,
});

/** `90s` → 90000; null when not a duration (same words as `specql apply --lock-wait`). */
export const parseLockWait = (text: string): number | null => engine.parseDuration(text);

export async function plan(specs: Specs, options: EngineOptions): Promise<PlannedEntity> {
  const { plan } = await engine.planSpecs(specs, engineOptions(options));
  return {
    steps: plan.steps,
    hazards: plan.hazards.map((h) => (h.blocking ? `${h.code} (blocking: allowHazards must name it)` : h.code)),
    // Steps repeated per partition get one summary line first, so a review reads
    // "create index … concurrently on 39 partitions, then attach"; every statement follows.
    sql: groupSteps(plan.steps).flatMap((group) => {
      const header =
        group.steps.length > 1
          ? [`\n-- ${group.first}-${group.last}. ${group.summary}${group.hazards.length ? ` [hazards: ${group.hazards.join(', ')}]` : ''}:`]
          : [];
      const steps = group.steps.map((step, k) => {
        const hazards = step.hazards.length > 0 ? ` [hazards: ${step.hazards.map((h) => h.code).join(', ')}]` : '';
        const sql = step.sql.trimEnd();
        return `${header.length ? '' : '\n'}-- ${group.first + k}. ${step.description}${hazards}\n${sql}${sql.endsWith(';') ? '' : ';'}`;
      });
      return [...header, ...steps];
    }),
  };
}

/** Plans and applies one entity online; throws with the engine's message (refused hazards, failed step). */
export async function apply(specs: Specs, options: EngineOptions): Promise<readonly EntityOutputs[]> {
  const result = await engine.applySpecs(specs, engineOptions(options));
  return result.outputs;
}

export interface Inspected {
  readonly exists: boolean;
  readonly outputs: EntityOutputs | null;
  /** What differs between the live objects and the spec, one line each. */
  readonly drift: readonly string[];
}

export async function inspect(spec: EntitySpec, specs: Specs, options: EngineOptions): Promise<Inspected> {
  const result = await engine.inspectEntity(spec, specs, engineOptions(options));
  return { exists: result.exists, outputs: result.outputs, drift: result.drift.map(renderDiagnostic) };
}

export interface Dropped {
  readonly summary: string;
  /** Why nothing was dropped, when the gate refused (a table holds rows and deletes_data is not allowed). */
  readonly refused: string | null;
}

export async function drop(spec: EntitySpec, specs: Specs, options: EngineOptions): Promise<Dropped> {
  const force = (options.allowHazards ?? []).includes('deletes_data');
  try {
    const report = await engine.dropEntity(spec, specs, { ...engineOptions(options), force });
    const applied = report.results.filter((r) => r.status === 'applied').length;
    return { summary: `dropped: ${applied} step(s) applied`, refused: null };
  } catch (error) {
    if (error instanceof engine.HazardsRefusedError) return { summary: 'nothing dropped', refused: error.message };
    throw error;
  }
}

/** The fresh-database DDL (`specql sql`) restricted to one entity's objects (plus shared schemas and extensions). */
export async function freshScript(specs: Specs, entity: string, options: EngineOptions): Promise<string> {
  const desired = buildDesired(specs, {
    today: options.today ?? new Date().toISOString().slice(0, 10),
    ...(options.premake !== undefined ? { premake: options.premake } : {}),
    ...(options.retention !== undefined ? { retention: options.retention } : {}),
    refreshOverrides: options.refreshOverrides ?? {},
  });
  const out = desired.entities.find((e) => e.entity === entity);
  if (!out) return '';
  const tables = new Set([out.table, ...(out.queue ? [out.queue] : [])]);
  const functions = new Set(out.functions.map((f) => f.split('.').pop()!.replace(/\(.*$/, '')));
  const views = new Set(out.materializedViews.map((v) => v.split('.').pop()!));
  const mine = (o: DbObject): boolean => {
    switch (o.kind) {
      case 'schema':
      case 'extension':
        return true;
      case 'table':
        return tables.has(o.name);
      case 'partition':
        return tables.has(o.parent.name);
      case 'index':
      case 'trigger':
        return tables.has(o.table.name);
      case 'function':
        return functions.has(o.name);
      case 'materialized_view':
        return views.has(o.name);
      default:
        return false;
    }
  };
  return renderScript({ objects: desired.objects.filter(mine), entities: [out] });
}

/**
 * Ownership markers. Every object specql creates gets a comment
 * `specql:entity=<Entity>[;key=value…]`; the live side reads it back. Objects
 * without a marker are not ours: the planner reports them as drift and never
 * drops them. Extra keys carry facts pg_catalog cannot give back in our form:
 *  - tables: `columns=a,b,c` — the columns specql manages, so a column that
 *    left the spec (drop it, deletes_data) is told apart from one added by hand
 *    (report it, leave it alone);
 *  - materialized views: `sha=<12 hex>` — a hash of the desired query, since
 *    pg_get_viewdef() re-prints the SELECT in its own words;
 *  - functions with argument defaults: `defaults=<count>:<8 hex>` — the
 *    defaults as generated, since pg_catalog re-prints them in its own words
 *    (`'x'::text`) and joins them into one list that cannot be split safely;
 *  - archived partitions: `archived=1` — never touched again.
 * A table's comment may go on after the marker line with the entity's
 * `description` (issue 8): `specql:entity=E;columns=…` + newline + the text.
 * The whole comment is written as one quoted literal; only the first line is
 * parsed as the marker, so the description may hold any character.
 */
import { createHash } from 'node:crypto';

export interface Marker {
  readonly entity: string;
  readonly fields: Readonly<Record<string, string>>;
  /** The text after the marker line (a table's description), if any. */
  readonly description?: string;
}

const PREFIX = 'specql:';

export function formatMarker(entity: string, fields: Readonly<Record<string, string>> = {}, description?: string | null): string {
  const parts = [`entity=${entity}`, ...Object.entries(fields).map(([k, v]) => `${k}=${v}`)];
  return PREFIX + parts.join(';') + (description ? `\n${description}` : '');
}

export function parseMarker(comment: string | null | undefined): Marker | null {
  if (!comment || !comment.startsWith(PREFIX)) return null;
  const fields: Record<string, string> = {};
  let entity = '';
  const newline = comment.indexOf('\n');
  const line = newline < 0 ? comment : comment.slice(0, newline);
  const description = newline < 0 ? '' : comment.slice(newline + 1);
  for (const part of line.slice(PREFIX.length).split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === 'entity') entity = value;
    else fields[key] = value;
  }
  return description ? { entity, fields, description } : { entity, fields };
}

export function queryHash(query: string): string {
  return createHash('sha256').update(query.trim()).digest('hex').slice(0, 12);
}

/** `defaults=` marker value of a function: how many arguments have defaults, and a hash of them. */
export function argDefaultsFingerprint(args: readonly { readonly default?: string }[]): string | null {
  const defaults = args.flatMap((a) => (a.default === undefined ? [] : [a.default.trim()]));
  if (defaults.length === 0) return null;
  return `${defaults.length}:${createHash('sha256').update(JSON.stringify(defaults)).digest('hex').slice(0, 8)}`;
}

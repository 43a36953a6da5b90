/**
 * A live catalog built from a desired state, without a database: the
 * database as specql would have left it after applying that state (objects
 * and ownership markers). Lets planner tests derive alter, rebuild and drop
 * steps purely; the SQL they produce is still run on PostgreSQL elsewhere.
 */
import { emptyCatalog } from '../../src/catalog/empty';
import type { LiveCatalog } from '../../src/catalog/types';
import { parseMarker, type Marker } from '../../src/model/markers';
import { objectKey, type DesiredState } from '../../src/model/objects';
import { markerText } from '../../src/plan/markers';
import { desiredOwnership } from '../../src/plan/ownership';

export function catalogOf(desired: DesiredState): LiveCatalog {
  const owner = desiredOwnership(desired);
  const markers = new Map<string, Marker>();
  for (const object of desired.objects) {
    const text = markerText(object, owner(object) ?? '');
    const marker = text === null ? null : parseMarker(text);
    if (marker) markers.set(objectKey(object), marker);
  }
  const rowEstimates = new Map(desired.objects.filter((o) => o.kind === 'table' || o.kind === 'partition').map((o) => [objectKey(o), 0]));
  return { ...emptyCatalog(), objects: desired.objects, markers, rowEstimates };
}

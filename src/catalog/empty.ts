/** The catalog of a database that holds none of our objects (what `specql sql` plans against). */
import type { LiveCatalog } from './types';

export function emptyCatalog(): LiveCatalog {
  return {
    objects: [],
    markers: new Map(),
    rowEstimates: new Map(),
    hasRows: new Map(),
    lossyRows: new Map(),
    defaultRows: new Map(),
    defaultForms: new Map(),
    indexFacts: new Map(),
    looseIndexes: [],
    archived: new Set(),
    pgCron: false,
    serverVersion: 0,
    schemas: [],
    grants: new Map(),
    viewDependencies: [],
    viewSnapshots: new Map(),
    partitionDefaults: new Map(),
  };
}

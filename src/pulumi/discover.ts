/**
 * Program-time discovery: which entities a specs directory declares, in which
 * file, and which entities each one's workflow writes. Deliberately shallow
 * (names only, from the YAML): validation proper happens in the provider's
 * check, so that a bad spec becomes a CheckFailure with its file and line in
 * `pulumi preview`, instead of a crash of the program.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface DiscoveredEntity {
  /** `SalesTransaction`, as written. */
  readonly name: string;
  /** Path as given to the loader (relative paths stay relative: messages read `specs/x.yaml:3:5`). */
  readonly file: string;
  readonly schema: string | null;
  /** Entities this one's workflow steps update (it depends on them). */
  readonly writes: readonly string[];
  /** Index methods used (`gist` needs btree_gist for scalar columns). */
  readonly indexMethods: readonly string[];
  readonly archiveSchema: string | null;
}

export interface SpecSource {
  readonly file: string;
  readonly text: string;
}

/** The spec files of a directory (or explicit files), sorted for a stable order. */
export function specFilesIn(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    if (fs.statSync(p).isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) {
        if (/\.ya?ml$/.test(name)) files.push(path.join(p, name));
      }
    } else {
      files.push(p);
    }
  }
  return files;
}

/**
 * Reads the files; with `root`, relative paths resolve against it (not the
 * process's cwd) and keep their relative name, so messages still read
 * `specs/x.yaml:3:5` wherever the program runs.
 */
export function readSources(files: readonly string[], root?: string): SpecSource[] {
  return files.map((file) => ({ file, text: fs.readFileSync(root ? path.resolve(root, file) : file, 'utf8') }));
}

/** specFilesIn for paths relative to `root`; the file names returned stay relative to it. */
export function specFilesUnder(root: string, paths: readonly string[]): string[] {
  return specFilesIn(paths.map((p) => path.resolve(root, p))).map((abs) => {
    const rel = path.relative(root, abs);
    return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
  });
}

/**
 * The Pulumi project's root (the directory of Pulumi.yaml). Not the cwd: the
 * CLI runs a program whose Pulumi.yaml `main` is a file (this repository's
 * dist/pulumi/program.js) in that file's directory. The language host passes
 * the root (PULUMI_NODEJS_ROOT_DIRECTORY, via `rootDirectory`); failing that,
 * the nearest Pulumi.yaml above the cwd; failing that, the cwd.
 */
export function projectRoot(rootDirectory: string | undefined, cwd: string = process.cwd()): string {
  // Trusted only when it holds a Pulumi.yaml: under the SDK's mocks it is the placeholder "rootDirectory".
  if (rootDirectory && path.isAbsolute(rootDirectory) && hasProjectFile(rootDirectory)) return rootDirectory;
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (hasProjectFile(dir)) return dir;
    if (path.dirname(dir) === dir) return cwd;
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

export function discoverEntities(sources: readonly SpecSource[]): DiscoveredEntity[] {
  const found: DiscoveredEntity[] = [];
  for (const source of sources) {
    for (const doc of parseAllDocuments(source.text)) {
      if (!('toJS' in doc)) continue;
      let data: unknown;
      try {
        data = doc.toJS();
      } catch {
        continue;
      }
      if (typeof data !== 'object' || data === null) continue;
      const record = data as Record<string, unknown>;
      const name = str(record.entity);
      if (!name) continue;
      const writes = new Set<string>();
      for (const action of Array.isArray(record.actions) ? record.actions : []) {
        const steps = (action as Record<string, unknown> | null)?.workflow;
        for (const step of Array.isArray(steps) ? steps : []) {
          const target = str((step as Record<string, unknown> | null)?.entity);
          if (target && target !== name) writes.add(target);
        }
      }
      const methods = new Set<string>();
      for (const index of Array.isArray(record.indexes) ? record.indexes : []) {
        const type = str((index as Record<string, unknown> | null)?.type);
        methods.add((type ?? 'btree').toLowerCase());
      }
      const partitioning = record.partitioning as Record<string, unknown> | undefined;
      found.push({
        name,
        file: source.file,
        schema: str(record.schema),
        writes: [...writes].sort(),
        indexMethods: [...methods].sort(),
        // The spec's default archive schema is `<schema>_archive`.
        archiveSchema:
          partitioning && typeof partitioning === 'object'
            ? str(partitioning.archive_schema) ?? (str(record.schema) ? `${str(record.schema)}_archive` : null)
            : null,
      });
    }
  }
  return found;
}

/** The files one entity needs for validation and planning: its own, then those of the entities it writes. */
export function sourcesFor(entity: DiscoveredEntity, all: readonly DiscoveredEntity[], sources: readonly SpecSource[]): SpecSource[] {
  const files = new Set<string>([entity.file]);
  for (const target of entity.writes) {
    const other = all.find((e) => e.name === target);
    if (other) files.add(other.file);
  }
  return sources.filter((s) => files.has(s.file));
}

/** Dependencies first (workflow targets before their sources); ties keep file order. Cycles are left to check. */
export function deploymentOrder(entities: readonly DiscoveredEntity[]): DiscoveredEntity[] {
  const byName = new Map(entities.map((e) => [e.name, e]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: DiscoveredEntity[] = [];
  const visit = (e: DiscoveredEntity): void => {
    if (done.has(e.name) || visiting.has(e.name)) return;
    visiting.add(e.name);
    for (const target of e.writes) {
      const t = byName.get(target);
      if (t) visit(t);
    }
    visiting.delete(e.name);
    done.add(e.name);
    order.push(e);
  };
  entities.forEach(visit);
  return order;
}

function hasProjectFile(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'Pulumi.yaml')) || fs.existsSync(path.join(dir, 'Pulumi.yml'));
}

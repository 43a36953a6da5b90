/** One test per validation rule, on small inline documents: code, line:col, and the fix in the message. */
import { brief, briefs, diagnose, doc, entity, loadExpressionParser } from './support';

beforeAll(() => loadExpressionParser());

describe('YAML', () => {
  test('syntax errors are positioned', () => {
    expect(briefs(doc('fields:\n  id: uuid\n   bad: text\n'))[0]).toBe('yaml.syntax@4:7');
  });

  test('a repeated non-entity key is a duplicate key error', () => {
    const [d] = diagnose(doc('fields:\n  id: uuid\nschema: other\n'));
    expect(brief(d)).toBe('yaml.duplicate_key@5:1');
    expect(d.message).toMatch(/duplicate key `schema`/);
  });

  test('two entities in one document: error suggesting ---, both still validated', () => {
    const ds = diagnose('entity: A\nschema: s\nfields:\n  id: uuid\nentity: B\nschema: s\nfields:\n  id: uuid\n  x: nope\n');
    expect(ds.map(brief)).toEqual(['yaml.duplicate_key@5:1', 'type.unknown@9:6']);
    expect(ds[0].hint).toMatch(/---/);
  });

  test('trailing --- and empty documents are ignored', () => {
    expect(briefs(doc('fields:\n  id: uuid\n---\n'))).toEqual([]);
  });

  test('start: 2024-01-01 stays a string (core schema)', () => {
    const e = entity(doc('fields:\n  id: uuid\n  at: timestamptz\npartitioning:\n  strategy: RANGE\n  column: at\n  intervals: [monthly]\n  start: 2024-02-01\n'));
    expect(e.partitioning?.start).toBe('2024-02-01');
  });
});

describe('shape', () => {
  test('unknown keys suggest the nearest valid key', () => {
    const ds = diagnose(doc('feilds:\n  id: uuid\nindexs: []\n'));
    expect(ds.map(brief)).toEqual(['spec.missing_key@1:1', 'spec.unknown_key@3:1', 'spec.unknown_key@5:1']);
    expect(ds[1].hint).toBe('did you mean `fields`?');
    expect(ds[2].hint).toBe('did you mean `indexes`?');
  });

  test('unknown performance hints are errors (list and map forms)', () => {
    const list = diagnose(
      doc('fields:\n  id: uuid\nactions:\n  - name: load\n    pattern: batch/bulk_operation\n    operation: insert\n    batch_field: rows\n    performance_hints:\n      - copy: true\n'),
    );
    expect(list.map(brief)).toEqual(['spec.unknown_key@11:9']);
    expect(list[0].hint).toBe('did you mean `copy_mode`?');
    const map = diagnose(
      doc('fields:\n  id: uuid\nactions:\n  - name: load\n    pattern: batch/bulk_operation\n    operation: insert\n    batch_field: rows\n    performance_hints:\n      async_execution: true\n'),
    );
    expect(map.map(brief)).toEqual(['spec.unknown_key@11:7']);
    expect(map[0].hint).toMatch(/allowed keys: disable_triggers, disable_indexes, copy_mode/);
  });

  test('wrong value types and unknown patterns', () => {
    const ds = diagnose(
      doc('fields:\n  id: uuid\n  x: [1]\nindexes:\n  name: i\nactions:\n  - name: b\n    pattern: batch/bulk\n  - name: c\n    pattern: batch/bulk_operation\n    operation: upsert\n    batch_field: rows\n'),
    );
    expect(ds.map(brief)).toEqual(['spec.invalid_type@5:6', 'spec.invalid_type@7:3', 'spec.invalid_value@10:14', 'spec.invalid_value@13:16']);
    expect(ds[3].message).toMatch(/`actions\[1\]\.operation` cannot be `upsert`: allowed `insert`/);
  });

  test('long-form field keys, missing pattern, missing step keys, a document that is not a map', () => {
    const ds = diagnose(
      doc('fields:\n  id:\n  x: { type: text, nullable: true }\nactions:\n  - name: a\n  - pattern: composite/workflow_orchestrator\n    name: w\n    trigger: x_inserted\n    workflow:\n      - step: s\n        action: update\n        entity: Foo\n        fields: {}\n'),
    );
    expect(ds.map(brief)).toEqual(['spec.invalid_type@4:6', 'spec.unknown_key@5:20', 'spec.missing_key@7:5', 'spec.missing_key@12:9']);
    expect(ds[1].hint).toBe('allowed keys: type, not_null, default');
    expect(ds[3].message).toBe('missing required key `condition` in actions[1].workflow[0].');
    expect(diagnose('- a\n- b\n').map((d) => d.message)).toEqual(['the document must be a map, not a list.']);
  });

  test('bounds: empty column lists, premake below 1', () => {
    const ds = diagnose(doc('fields:\n  at: date\nindexes:\n  - name: i\n    columns: []\npartitioning:\n  strategy: RANGE\n  column: at\n  intervals: [daily]\n  premake: 0\n'));
    expect(ds.map((d) => `${brief(d)} ${d.message}`)).toEqual([
      'spec.invalid@7:14 `indexes[0].columns` needs at least 1 item.',
      'spec.out_of_range@12:12 `partitioning.premake` is 0: it must be a whole number from 1 to 120.',
    ]);
  });
});

describe('names', () => {
  test('entity names are PascalCase, field names plain identifiers', () => {
    expect(briefs('entity: bad_name\nschema: app\nfields:\n  Id: uuid\n')).toEqual(['entity.name@1:9', 'name.invalid@4:3']);
  });

  test('user-given names over 63 bytes are errors', () => {
    const long = 'i'.repeat(64);
    const ds = diagnose(doc(`fields:\n  id: uuid\nindexes:\n  - name: ${long}\n    columns: [id]\n`));
    expect(ds.map(brief)).toEqual(['name.too_long@6:11']);
    expect(ds[0].hint).toMatch(/at most 63 bytes/);
  });

  test('generated names that are equal in their first 63 bytes clash', () => {
    const base = 'A'.repeat(1) + 'b'.repeat(70);
    const ds = diagnose(`entity: ${base}\nschema: app\nfields:\n  id: uuid\n---\nentity: ${base}C\nschema: app\nfields:\n  id: uuid\n`);
    expect(ds.map(brief)).toEqual(['name.truncation_clash@6:9']);
  });

  test('a long generated name without a clash is fine (it is shortened with a hash later)', () => {
    expect(briefs(`entity: A${'b'.repeat(70)}\nschema: app\nfields:\n  id: uuid\n`)).toEqual([]);
  });

  test('two relations with the same name in a schema', () => {
    expect(briefs(doc('fields:\n  id: uuid\nindexes:\n  - name: foo\n    columns: [id]\n'))).toEqual(['name.duplicate@6:5']);
  });

  test('an entity defined twice', () => {
    expect(briefs(`${doc('fields:\n  id: uuid\n')}---\n${doc('fields:\n  id: uuid\n')}`)).toEqual(['entity.duplicate@6:9']);
  });
});

describe('fields and types', () => {
  test('types are case-insensitive and normalised; numeric(p) gets scale 0', () => {
    const e = entity(doc('fields:\n  id: UUID\n  a: Character Varying(20)\n  b: numeric(10)\n  c: INT8\n  d: double\n  e: bool\n  f: timestamp\n  g: float4\n  h: int2\n  i: jsonb\n  j: interval\n  k: date\n'));
    expect(e.fields.map((f) => f.type)).toEqual([
      'uuid', 'character varying(20)', 'numeric(10,0)', 'bigint', 'double precision', 'boolean', 'timestamp without time zone', 'real', 'smallint', 'jsonb', 'interval', 'date',
    ]);
    expect(e.fields[1].specType).toBe('Character Varying(20)');
  });

  test('unknown types suggest the nearest', () => {
    const ds = diagnose(doc('fields:\n  id: uuid\n  amount: decimel(10,2)\n  n: { type: strin }\n'));
    expect(ds.map(brief)).toEqual(['type.unknown@5:11', 'type.unknown@6:14']);
    expect(ds[0].hint).toBe('did you mean `decimal`?');
  });

  test('long form: not_null and a default checked by the PostgreSQL parser', () => {
    const e = entity(doc("fields:\n  id: uuid\n  n: { type: integer, not_null: true, default: 0 }\n  s: { type: text, default: \"'new'\" }\n"));
    expect(e.fields.map((f) => [f.notNull, f.default])).toEqual([[true, 'gen_random_uuid()'], [true, '0'], [false, "'new'"]]);
    expect(briefs(doc('fields:\n  id: uuid\n  k: { type: integer, default: "1 +" }\n'))).toEqual(['expression.syntax@5:36']);
  });

  test('table defaults to snake_case(entity), or is given', () => {
    expect(entity('entity: HTTPLogEntry\nschema: app\nfields:\n  id: uuid\n').table).toBe('http_log_entry');
    expect(entity('entity: Foo\nschema: app\ntable: foos\nfields:\n  id: uuid\n').table).toBe('foos');
  });
});

describe('primary key', () => {
  test('default: first field when id or *_id; otherwise none', () => {
    expect(entity(doc('fields:\n  id: bigint\n  x: text\n')).primaryKey).toEqual(['id']);
    expect(entity(doc('fields:\n  name: text\n  x_id: uuid\n')).primaryKey).toEqual([]);
  });

  test('explicit primary_key columns must exist; they become NOT NULL', () => {
    expect(briefs(doc('fields:\n  a: text\nprimary_key: [a, bb]\n'))).toEqual(['column.unknown@5:18']);
    const e = entity(doc('fields:\n  a: text\n  b: uuid\nprimary_key: [a, b]\n'));
    expect(e.fields.map((f) => [f.notNull, f.default])).toEqual([[true, null], [true, null]]); // composite: no generated uuid default
  });

  test('a single uuid key gets gen_random_uuid() unless it has a default', () => {
    const e = entity(doc('fields:\n  id: { type: uuid, default: "md5(\'x\')::uuid" }\n'));
    expect(e.fields[0].default).toBe("md5('x')::uuid");
    // uuid-ossp's uuid_generate_v4() is an extension's function, not a built-in: refused, with the built-in suggested.
    expect(briefs(doc('fields:\n  id: { type: uuid, default: "uuid_generate_v4()" }\n'))).toEqual(['expression.function_not_allowed@4:31']);
  });
});

describe('indexes', () => {
  const fields = 'fields:\n  id: uuid\n  a: text\n  b: text\n';
  test('unknown index type suggests the nearest', () => {
    const ds = diagnose(doc(`${fields}indexes:\n  - name: i1\n    columns: [a]\n    type: BTRE\n`));
    expect(ds.map(brief)).toEqual(['index.unknown_type@10:11']);
    expect(ds[0].hint).toBe('did you mean `BTREE`?');
  });

  test('unknown index columns', () => {
    const ds = diagnose(doc(`${fields}indexes:\n  - name: i1\n    columns: [a, c DESC]\n`));
    expect(ds.map(brief)).toEqual(['column.unknown@9:18']);
  });

  test('multi-column HASH: error suggesting btree', () => {
    const ds = diagnose(doc(`${fields}indexes:\n  - name: i2\n    columns: [a, b]\n    type: hash\n`));
    expect(ds.map(brief)).toEqual(['index.hash_multicolumn@10:11']);
    expect(ds[0].hint).toMatch(/BTREE/);
  });

  test('column syntax, unique and pages_per_range need the right method', () => {
    expect(briefs(doc(`${fields}indexes:\n  - name: i3\n    columns: ["a DESCX"]\n`))).toEqual(['index.column_syntax@9:15']);
    expect(briefs(doc(`${fields}indexes:\n  - name: i4\n    columns: [a]\n    type: gin\n    unique: true\n`))).toEqual(['index.unique@11:13']);
    expect(briefs(doc(`${fields}indexes:\n  - name: i5\n    columns: [a]\n    pages_per_range: 16\n`))).toEqual(['index.pages_per_range@10:5']);
  });

  test('extensions: unique btree, BRIN pages_per_range', () => {
    const e = entity(doc(`${fields}indexes:\n  - name: u\n    columns: [a, b desc]\n    unique: true\n  - name: r\n    columns: [a]\n    type: Brin\n    pages_per_range: 32\n`));
    expect(e.indexes.map((i) => [i.method, i.unique, i.pagesPerRange, i.columns])).toEqual([
      ['btree', true, null, [{ column: 'a', descending: false }, { column: 'b', descending: true }]],
      ['brin', false, 32, [{ column: 'a', descending: false }]],
    ]);
  });
});

describe('partitioning', () => {
  const part = (column: string, extra = '', fields = '  at: timestamptz\n') =>
    doc(`fields:\n  id: uuid\n${fields}partitioning:\n  strategy: RANGE\n  column: ${column}\n  intervals: [monthly]\n${extra}`);

  test('defaults: premake 3, no retention, <schema>_archive, default partition, no start (resolved from `today` when generating)', () => {
    const e = entity(part('at'));
    const p = e.partitioning!;
    expect([p.premake, p.retention, p.archiveSchema, p.defaultPartition]).toEqual([3, null, 'app_archive', true]);
    expect(p.start).toBeNull();
    expect(e.primaryKey).toEqual(['id', 'at']);
    expect(e.fields[1].notNull).toBe(true);
  });

  test('timestamp without time zone: warning suggesting timestamptz (still valid)', () => {
    const ds = diagnose(part('at', '', '  at: timestamp\n'));
    expect(ds.map((d) => [d.severity, brief(d)])).toEqual([['warning', 'partition.timestamp_without_time_zone@5:3']]);
    expect(ds[0].hint).toMatch(/timestamptz/);
  });

  test('partition column must exist and be a date/time type', () => {
    expect(briefs(part('att'))).toEqual(['column.unknown@8:11']);
    expect(briefs(part('id'))).toEqual(['partition.column_type@8:11']);
  });

  test('partition column cannot be nullable', () => {
    expect(briefs(part('at', '', '  at: { type: date, not_null: false }\n'))).toEqual(['column.not_null_required@5:31']);
  });

  test('strategy RANGE only, exactly one known interval', () => {
    expect(briefs(doc('fields:\n  at: date\npartitioning:\n  strategy: LIST\n  column: at\n  intervals: [monthly, daily]\n'))).toEqual([
      'partition.strategy@6:13',
      'partition.intervals@8:14',
    ]);
    const ds = diagnose(doc('fields:\n  at: date\npartitioning:\n  strategy: range\n  column: at\n  intervals: [montly]\n'));
    expect(ds.map(brief)).toEqual(['partition.interval@8:15']);
    expect(ds[0].hint).toBe('did you mean `monthly`?');
  });

  test('start must be an aligned date', () => {
    const ds = diagnose(part('at', '  start: 2024-01-15\n'));
    expect(ds.map(brief)).toEqual(['partition.start_unaligned@10:10']);
    expect(ds[0].hint).toBe('use `start: 2024-01-01`');
    expect(briefs(part('at', '  start: 2024-02-30\n'))).toEqual(['partition.start@10:10']);
    const weekly = (start: string) => doc(`fields:\n  at: date\npartitioning:\n  strategy: RANGE\n  column: at\n  intervals: [weekly]\n  start: ${start}\n`);
    expect(briefs(weekly('2024-01-01'))).toEqual([]); // a Monday
    expect(briefs(weekly('2024-01-03'))).toEqual(['partition.start_unaligned@9:10']);
  });

  test('retention converts to a whole number of intervals', () => {
    const retention = (interval: string, text: string) =>
      doc(`fields:\n  at: date\npartitioning:\n  strategy: RANGE\n  column: at\n  intervals: [${interval}]\n  retention: ${text}\n`);
    const count = (interval: string, text: string) => entity(retention(interval, text)).partitioning!.retention;
    expect(count('monthly', '36 months')).toBe(36);
    expect(count('monthly', '2 years')).toBe(24);
    expect(count('daily', '90 days')).toBe(90);
    expect(count('daily', '12 weeks')).toBe(84);
    expect(count('weekly', '12 weeks')).toBe(12);
    expect(count('yearly', '24 months')).toBe(2);
    expect(briefs(retention('weekly', '90 days'))).toEqual(['partition.retention_inexact@9:14']);
    expect(briefs(retention('monthly', '10 days'))).toEqual(['partition.retention_inexact@9:14']);
    expect(briefs(retention('monthly', 'forever'))).toEqual(['partition.retention@9:14']);
  });
});

describe('actions and workflows', () => {
  const target = '---\nentity: Tgt\nschema: app\nfields:\n  key: uuid\n  total: numeric\n  cnt: integer\nprimary_key: [key]\n';
  const workflow = (steps: string, hints = '') =>
    'entity: Src\nschema: app\nfields:\n  id: uuid\n  amount: numeric\n  cat: text\nactions:\n  - name: wf\n    pattern: composite/workflow_orchestrator\n    trigger: transaction_inserted\n' +
    hints +
    '    workflow:\n' +
    steps +
    target;
  const step = (fields: string, condition = 'key = transaction.id', entityName = 'Tgt') =>
    `      - step: s\n        action: update\n        entity: ${entityName}\n        fields:\n${fields}        condition: "${condition}"\n`;

  test('a valid workflow loads', () => {
    expect(briefs(workflow(step('          total: "COALESCE(total, 0) + transaction.amount"\n')))).toEqual([]);
  });

  test('a step targeting an undefined entity', () => {
    const ds = diagnose(workflow(step('          total: "total + 1"\n', 'key = transaction.id', 'Tgtt')));
    expect(ds.map(brief)).toEqual(['workflow.unknown_entity@14:17']);
    expect(ds[0].hint).toBe('did you mean `Tgt`?');
  });

  test('assignment targets must be fields of the target entity', () => {
    expect(briefs(workflow(step('          nope: "1"\n')))).toEqual(['workflow.unknown_column@16:11']);
  });

  test('expression errors carry the exact column inside the quoted scalar', () => {
    const ds = diagnose(workflow(step('          cnt: "cnt + transaction.amont + now() + other.x + (SELECT 1)"\n')));
    expect(ds.map(brief)).toEqual([
      'expression.unknown_row_field@16:23',
      'expression.volatile@16:43',
      'expression.wrong_row_alias@16:51',
      'expression.subquery@16:61',
    ]);
    expect(ds[0].hint).toBe('did you mean `amount`?');
    expect(ds[2].message).toBe('`other.x`: the inserted row is called `transaction` in this workflow (its trigger is `transaction_inserted`: the alias is the trigger\'s name without `_inserted`).');
    expect(ds[2].hint).toBe('write `transaction.x`');
  });

  test('unknown bare names hint at transaction.<field>', () => {
    // A single-quoted YAML scalar: each '' is one character of the value, two in the source.
    const ds = diagnose(workflow(step("          total: 'total + ''x'' || cat'\n")));
    expect(ds.map(brief)).toEqual(['expression.unknown_column@16:36']);
    expect(ds[0].hint).toBe('did you mean `transaction.cat`?');
  });

  test('parser errors are positioned at the failing token', () => {
    expect(briefs(workflow(step('          total: "total + + * 2"\n')))).toEqual(['expression.syntax@16:29']);
    expect(briefs(workflow(step("          total: 'total + (1'\n")))).toEqual(['expression.syntax@16:29']); // at end of input
  });

  test('condition must be key = transaction.field joined by AND', () => {
    expect(briefs(workflow(step('          total: "1"\n', 'key = transaction.id OR true')))).toEqual(['workflow.condition_shape@17:42']);
  });

  test('condition must name exactly the target primary key', () => {
    const ds = diagnose(workflow(step('          total: "1"\n', 'cnt = transaction.amount')));
    expect(ds.map(brief)).toEqual(['workflow.condition_key@17:21']);
    expect(ds[0].message).toMatch(/primary key is \(key\)/);
  });

  test('a target without primary key: suggest primary_key', () => {
    const noKey = workflow(step('          total: "1"\n', 'total = transaction.amount')).replace('primary_key: [key]\n', '');
    const ds = diagnose(noKey);
    expect(ds.map(brief)).toEqual(['workflow.condition_key@17:21']);
    expect(ds[0].hint).toBe('give Tgt `primary_key: [total]`');
  });

  test('the row alias comes from the trigger: reading_inserted → reading.<field>', () => {
    const readings = (expression: string, condition: string) =>
      workflow(step(`          total: "${expression}"\n`, condition)).replace('transaction_inserted', 'reading_inserted');
    const loaded = entity(readings('total + reading.amount', 'key = reading.id'), 'Src');
    const action = loaded.actions[0]!;
    expect(action.kind === 'workflow' && [action.rowAlias, action.steps[0]!.assignments[0]!.expression, action.steps[0]!.condition]).toEqual([
      'reading',
      'total + reading.amount',
      'key = reading.id',
    ]);
    const ds = diagnose(readings('total + transaction.amount', 'key = transaction.id'));
    expect(ds.map(brief)).toEqual(['expression.wrong_row_alias@16:27', 'expression.wrong_row_alias@17:27']);
    expect(ds[0]!.hint).toBe('write `reading.amount`');
    expect(ds[1]!.message).toMatch(/the inserted row is called `reading` in this workflow \(its trigger is `reading_inserted`/);
  });

  test('step names are plain identifiers, unique in the workflow', () => {
    const two = workflow(step('          total: "1"\n') + step('          cnt: "cnt + 1"\n'));
    expect(briefs(two)).toEqual(['workflow.duplicate_step@18:15']);
    expect(briefs(workflow(step('          total: "1"\n').replace('step: s', 'step: "S 1"')))).toEqual(['name.invalid@12:15']);
  });

  test('trigger must be <name>_inserted', () => {
    const ds = diagnose(workflow(step('          total: "1"\n')).replace('transaction_inserted', 'transaction_updated'));
    expect(ds.map(brief)).toEqual(['action.trigger@10:14']);
  });

  test('materialized_views hint without any target view is a warning', () => {
    const ds = diagnose(workflow(step('          total: "1"\n'), '    performance_hints:\n      - materialized_views: true\n'));
    expect(ds.map((d) => [d.severity, brief(d)])).toEqual([['warning', 'workflow.materialized_views_hint@12:7']]);
  });

  test('bulk operation: insert only, hints as list or map', () => {
    const bulk = (hints: string) =>
      doc(`fields:\n  id: uuid\nactions:\n  - name: load\n    pattern: batch/bulk_operation\n    operation: insert\n    batch_field: rows\n    performance_hints:\n${hints}`);
    expect(entity(bulk('      copy_mode: true\n')).actions[0]).toMatchObject({ kind: 'bulk_operation', batchField: 'rows', hints: { copyMode: true, disableTriggers: false, disableIndexes: false } });
    expect(entity(bulk('      - disable_indexes: true\n')).actions[0]).toMatchObject({ hints: { disableIndexes: true } });
  });
});

describe('materialized views', () => {
  const mv = (rest: string, fields = '  name: text\n  total: numeric\n  at: timestamptz\nprimary_key: [name]\n') =>
    doc(`fields:\n${fields}materialized_view: foo_mv\n${rest}`);

  test('refresh_interval must map to cron', () => {
    for (const ok of ['1 minute', '15 minutes', '1 hour', '"2 hours"', '12 hours', '1 day', '1 week']) expect(briefs(mv(`refresh_interval: ${ok}\n`))).toEqual([]);
    expect(entity(mv('refresh_interval: 15 minutes\n')).materializedView!.refreshSeconds).toBe(900);
    for (const bad of ['7 minutes', '5 hours', '2 days', 'hourly']) expect(briefs(mv(`refresh_interval: ${bad}\n`))).toEqual(['view.refresh_interval@9:19']);
  });

  test('view columns: own columns only, no volatile functions', () => {
    const ds = diagnose(
      mv('refresh_interval: 1 hour\nview:\n  columns:\n    age: "EXTRACT(EPOCH FROM now() - at)"\n    today: "CURRENT_DATE"\n    other: "transaction.total + nope"\n  where: "at > now() - interval \'90 days\'"\n'),
    );
    expect(ds.map(brief)).toEqual([
      'expression.volatile@12:30',
      'expression.volatile@13:13',
      'expression.bad_qualifier@14:13',
      'expression.unknown_column@14:33',
      'expression.volatile@15:16',
    ]);
    expect(ds[0].message).toMatch(/depend on when it was last refreshed/);
  });

  test('expression positions inside block and multi-line scalars', () => {
    const view = (value: string) => mv(`refresh_interval: 1 hour\nview:\n  columns:\n    a: ${value}`);
    expect(briefs(view('|\n      total +\n        nope\n'))).toEqual(['expression.unknown_column@14:9']);
    expect(briefs(view('>-\n      total +\n      nope\n'))).toEqual(['expression.unknown_column@14:7']);
    expect(briefs(view('total +\n      nope\n'))).toEqual(['expression.unknown_column@13:7']);
    expect(briefs(view('"\\"x\\" + nope"\n'))).toEqual(['expression.unknown_column@12:9', 'expression.unknown_column@12:17']);
  });

  test('view columns replace or append; key defaults to the primary key or view.key', () => {
    const view = entity(mv('refresh_interval: 1 hour\nview:\n  columns:\n    total: "ROUND(total, 2)"\n    doubled: "total * 2"\n  where: "total > 0"\n  key: [name, at]\n')).materializedView!;
    expect(view.columns).toEqual([
      { name: 'name', expression: 'name' },
      { name: 'total', expression: 'round(total, 2)' }, // as the deparser prints it
      { name: 'at', expression: 'at' },
      { name: 'doubled', expression: 'total * 2' },
    ]);
    expect([view.filter, view.uniqueKey]).toEqual(['total > 0', ['name', 'at']]);
  });

  test('concurrent refresh needs a key; blocking does not', () => {
    const noKey = '  name: text\n';
    const ds = diagnose(mv('refresh_interval: 1 hour\n', noKey));
    expect(ds.map(brief)).toEqual(['view.concurrent_needs_key@5:1']);
    expect(ds[0].hint).toMatch(/primary_key/);
    expect(briefs(mv('refresh_strategy: blocking\nrefresh_interval: 1 hour\n', noKey))).toEqual([]);
  });

  test('view.key columns must exist; view keys need materialized_view', () => {
    expect(briefs(mv('refresh_interval: 1 hour\nview:\n  key: [nam]\n'))).toEqual(['column.unknown@11:9']);
    expect(briefs(doc('fields:\n  id: uuid\nrefresh_interval: 1 hour\n'))).toEqual(['view.without_name@5:1']);
  });
});

test('every problem in a document is reported in one run', () => {
  const ds = diagnose(
    doc('fields:\n  id: uuid\n  a: texty\n  b: text\nindexes:\n  - name: h\n    columns: [a, b]\n    type: HASH\n  - name: g\n    columns: [zz]\npartitioning:\n  strategy: RANGE\n  column: b\n  intervals: [monthly]\nbogus: 1\n'),
  );
  expect(ds.map(brief)).toEqual(['type.unknown@5:6', 'index.hash_multicolumn@10:11', 'column.unknown@12:15', 'partition.column_type@15:11', 'spec.unknown_key@17:1']);
});

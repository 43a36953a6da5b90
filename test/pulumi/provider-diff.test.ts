/** EntityProvider.diff: a change when inputs differ, a replacement only when the physical identity changes. */
import { EntityProvider } from '../../src/pulumi/provider';

const settings = { premake: null, retention: null, refreshOverrides: {}, allowHazards: [], deletionPolicy: 'retain', today: null };
const base: any = {
  entity: 'PageView',
  connection: 'postgresql://app@db:5432/web',
  target: { schema: 'web', table: 'page_view', partitionColumn: 'viewed_at' },
  specHash: 'aaa',
  providerVersion: '0.1.0+p1',
  settings,
  planSummary: { source: 'live', steps: 0, hazards: [], note: null },
};
const diff = (olds: any, news: any) => new EntityProvider().diff('web.page_view', olds, news);

describe('EntityProvider.diff', () => {
  it('no change when nothing differs and the live plan is empty', async () => {
    expect(await diff(base, { ...base })).toEqual({ changes: false });
  });

  it('an update (no replacement) for spec, settings, provider version or live drift', async () => {
    expect(await diff(base, { ...base, specHash: 'bbb' })).toEqual({ changes: true });
    expect(await diff(base, { ...base, settings: { ...settings, premake: 6 } })).toEqual({ changes: true });
    expect(await diff(base, { ...base, providerVersion: '0.2.0+p1' })).toEqual({ changes: true });
    expect(await diff(base, { ...base, planSummary: { ...base.planSummary, steps: 2 } })).toEqual({ changes: true });
    // A fresh-database plan (URL unknown) says nothing about the live database.
    expect(await diff(base, { ...base, planSummary: { source: 'fresh-database', steps: 0, hazards: [], note: 'x' } })).toEqual({ changes: false });
  });

  it('an update records its plan as spent: the step count for diff travels in __pendingSteps', async () => {
    expect(await diff(base, { ...base, __pendingSteps: 3, __checkedAt: 2000 })).toEqual({ changes: true });
    expect(await diff(base, { ...base, planSummary: { ...base.planSummary, steps: 3 }, __pendingSteps: 0, __checkedAt: 2000 })).toEqual({ changes: false });
  });

  it('refresh (outputs read after the stored inputs were checked): the drift read decides, not the stored plan', async () => {
    const stored = { ...base, __pendingSteps: 40, __checkedAt: 1000 };
    expect(await diff({ ...base, drift: [], __readAt: 5000 }, stored)).toEqual({ changes: false });
    expect(await diff({ ...base, drift: ['warning: differs from the spec: create index x'], __readAt: 5000 }, stored)).toEqual({ changes: true });
    // An update after that refresh checks again: its fresh step count decides.
    expect(await diff({ ...base, drift: [], __readAt: 5000 }, { ...base, __pendingSteps: 2, __checkedAt: 9000 })).toEqual({ changes: true });
    expect(await diff({ ...base, drift: ['stale'], __readAt: 5000 }, { ...base, __pendingSteps: 0, __checkedAt: 9000 })).toEqual({ changes: false });
  });

  it('replaces, deleting first, only for a new table name, schema, partition column or database', async () => {
    for (const target of [
      { ...base.target, table: 'page_views' },
      { ...base.target, schema: 'web2' },
      { ...base.target, partitionColumn: 'created_at' },
    ]) {
      expect(await diff(base, { ...base, target })).toEqual({ changes: true, replaces: ['target'], deleteBeforeReplace: true });
    }
    expect(await diff(base, { ...base, connection: 'postgresql://app@other:5432/web' })).toEqual({
      changes: true,
      replaces: ['connection'],
      deleteBeforeReplace: true,
    });
  });

  it('state from an older provider without the identity fields updates rather than replaces', async () => {
    const { target: _t, connection: _c, ...older } = base;
    expect(await diff({ ...older, providerVersion: '0.0.9+p0' }, { ...base })).toEqual({ changes: true });
  });

  it('an unknown connection during preview is a change, not a replacement', async () => {
    expect(await diff(base, { ...base, connection: '04da6b54-80e4-46f7-96ec-b56ff0331ba9' })).toEqual({ changes: true });
  });
});

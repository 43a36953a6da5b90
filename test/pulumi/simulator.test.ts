/**
 * The engine simulator itself, with a tiny file-writing dynamic provider:
 * the provider really runs in `cmd/dynamic-provider`, so what these tests see
 * is what the CLI would drive.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { runStack, UNKNOWN } from '../support/pulumi-engine';

const fileProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: any, news: any) {
    const failures = typeof news.content === 'string' && news.content.includes('bad') ? [{ property: 'content', reason: 'content may not say bad' }] : [];
    return { inputs: { ...news, length: typeof news.content === 'string' ? news.content.length : 0 }, failures };
  },
  async diff(_id: string, olds: any, news: any) {
    const replaces = olds.path !== news.path ? ['path'] : [];
    return { changes: olds.content !== news.content || replaces.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 };
  },
  async create(inputs: any) {
    require('fs').writeFileSync(inputs.path, inputs.content);
    return { id: inputs.path, outs: { path: inputs.path, content: inputs.content, written: true } };
  },
  async update(_id: string, _olds: any, news: any) {
    require('fs').writeFileSync(news.path, news.content);
    return { outs: { path: news.path, content: news.content, written: true } };
  },
  async read(id: string, props: any) {
    const fs = require('fs');
    if (!fs.existsSync(id)) return { id: '', props: {} } as any;
    return { id, props: { ...props, content: fs.readFileSync(id, 'utf8') } };
  },
  async delete(id: string) {
    require('fs').rmSync(id, { force: true });
  },
};

class File extends pulumi.dynamic.Resource {
  declare readonly written: pulumi.Output<boolean>;
  constructor(name: string, args: { path: string; content: pulumi.Input<string>; token?: pulumi.Input<string> }) {
    super(fileProvider, name, { ...args, written: undefined }, undefined, 'test', 'File');
  }
}

describe('pulumi engine simulator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-'));
  const stateFile = path.join(dir, 'state.json');
  const target = path.join(dir, 'out.txt');
  const program = (content: string, file = target) => () => {
    const f = new File('f', { path: file, content, token: pulumi.secret('hunter2-secret') });
    return { written: f.written };
  };

  it('preview creates nothing and reports unknown outputs', async () => {
    const result = await runStack({ program: program('one'), stateFile, mode: 'preview' });
    expect(result.errors).toEqual([]);
    expect(result.events.map((e) => [e.name, e.op])).toEqual([['f', 'create']]);
    expect(result.events[0]!.inputs.length).toBe(3);
    expect(result.outputs.written).toBe(UNKNOWN);
    expect(fs.existsSync(target)).toBe(false);
    expect(result.calls).toEqual([expect.stringMatching(/^Check /)]);
  });

  it('up creates, keeps secrets out of the state file in clear text', async () => {
    const result = await runStack({ program: program('one'), stateFile, mode: 'up' });
    expect(result.errors).toEqual([]);
    expect(fs.readFileSync(target, 'utf8')).toBe('one');
    expect(result.outputs).toEqual({ written: true });
    expect(fs.readFileSync(stateFile, 'utf8')).not.toContain('hunter2-secret');
  });

  it('up again is a no-op; a change updates', async () => {
    const same = await runStack({ program: program('one'), stateFile, mode: 'up' });
    expect(same.events.map((e) => e.op)).toEqual(['same']);
    const changed = await runStack({ program: program('three'), stateFile, mode: 'up' });
    expect(changed.events.map((e) => [e.op, e.changedKeys])).toEqual([['update', ['content', 'length']]]);
    expect(fs.readFileSync(target, 'utf8')).toBe('three');
  });

  it('check failures are reported per property', async () => {
    const result = await runStack({ program: program('bad'), stateFile, mode: 'preview' });
    expect(result.events[0]!.op).toBe('check-failed');
    expect(result.events[0]!.checkFailures).toEqual([{ property: 'content', reason: 'content may not say bad' }]);
    expect(result.errors.join('\n')).toContain('content may not say bad');
  });

  it('a resource the program no longer declares is deleted (after a preview that only reports it)', async () => {
    const extra = path.join(dir, 'extra.txt');
    const both = () => {
      new File('f', { path: target, content: 'three' });
      new File('g', { path: extra, content: 'g' });
      return {};
    };
    expect((await runStack({ program: both, stateFile, mode: 'up' })).errors).toEqual([]);
    expect(fs.existsSync(extra)).toBe(true);
    const onlyF = program('three');
    const preview = await runStack({ program: onlyF, stateFile, mode: 'preview' });
    expect(preview.events.filter((e) => e.name === 'g').map((e) => e.op)).toEqual(['delete']);
    expect(fs.existsSync(extra)).toBe(true);
    const up = await runStack({ program: onlyF, stateFile, mode: 'up' });
    expect(up.events.filter((e) => e.name === 'g').map((e) => e.op)).toEqual(['delete']);
    expect(fs.existsSync(extra)).toBe(false);
    expect(up.state.resources.map((r) => r.name)).not.toContain('g');
  });

  it('replace deletes first when asked, refresh notices removal, destroy deletes', async () => {
    const other = path.join(dir, 'other.txt');
    const replaced = await runStack({ program: program('two', other), stateFile, mode: 'up' });
    expect(replaced.events[0]!.op).toBe('replace');
    expect(replaced.calls.filter((c) => !c.startsWith('Check') && !c.startsWith('Diff')).map((c) => c.split(' ')[0])).toEqual(['Delete', 'Create']);
    expect(fs.existsSync(target)).toBe(false);
    fs.writeFileSync(other, 'drifted');
    const refreshed = await runStack({ stateFile, mode: 'refresh' });
    expect(refreshed.events.map((e) => [e.op, e.changedKeys])).toEqual([['refresh', ['content']]]);
    const destroyed = await runStack({ stateFile, mode: 'destroy' });
    expect(destroyed.events.filter((e) => e.type !== 'pulumi:pulumi:Stack').map((e) => e.op)).toEqual(['delete']);
    expect(fs.existsSync(other)).toBe(false);
  });
});

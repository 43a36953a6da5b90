/**
 * Reads the CLI's human output (`preview --diff`, `up`, `refresh`): which
 * resources it lists with which operation, and the text printed under each.
 * Only the parts the e2e asserts on; the layout is the CLI's own.
 */

export interface ResourceBlock {
  /** The resource's name (last URN segment), e.g. SalesTransaction. */
  readonly name: string;
  readonly type: string;
  /** The operation in parentheses: create, update, same, delete, replace, read, refresh, ... */
  readonly op: string;
  /** Every line printed for the resource, header and URN included. */
  readonly text: string;
}

const HEADER = /^\s*(?:[-+~<>=*]+\s+)?([A-Za-z0-9_.:/-]+): \(([a-z-]+)\)\s*$/;
const URN = /^\s*\[urn=(urn:pulumi:[^\]]+)\]\s*$/;
const ID = /^\s*\[id=[^\]]*\]\s*$/;

/** Splits `preview --diff` (or `up --diff`, `refresh --diff`) output into one block per resource. */
export function resourceBlocks(output: string): ResourceBlock[] {
  const lines = output.split('\n');
  const blocks: ResourceBlock[] = [];
  let current: { type: string; op: string; name: string; lines: string[] } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const header = HEADER.exec(line);
    // Existing resources print their [id=…] line between the header and the URN.
    const urn = header ? (URN.exec(lines[i + 1] ?? '') ?? (ID.test(lines[i + 1] ?? '') ? URN.exec(lines[i + 2] ?? '') : null)) : null;
    if (header && urn) {
      if (current) blocks.push(close(current));
      const urnText = urn[1] ?? '';
      current = { type: header[1] ?? '', op: header[2] ?? '', name: urnText.slice(urnText.lastIndexOf('::') + 2), lines: [line] };
      continue;
    }
    // The summary ("Resources:") ends the last block.
    if (/^(Resources|Outputs|Diagnostics|Duration):/.test(line.trim())) {
      if (current) blocks.push(close(current));
      current = null;
      continue;
    }
    current?.lines.push(line);
  }
  if (current) blocks.push(close(current));
  return blocks;
}

function close(b: { type: string; op: string; name: string; lines: string[] }): ResourceBlock {
  return { name: b.name, type: b.type, op: b.op, text: b.lines.join('\n') };
}

export function entityBlocks(output: string): ResourceBlock[] {
  return resourceBlocks(output).filter((b) => b.type === 'pulumi-nodejs:dynamic/specql:Entity');
}

/** Operation per entity name, e.g. { SalesTransaction: 'update', CategoryMetrics: 'same' }. */
export function entityOps(output: string): Record<string, string> {
  return Object.fromEntries(entityBlocks(output).map((b) => [b.name, b.op]));
}

/** Fails with the whole CLI output when `name` is not listed with operation `op`. */
export function expectOp(output: string, name: string, op: string): ResourceBlock {
  const block = entityBlocks(output).find((b) => b.name === name);
  if (!block || block.op !== op) {
    throw new Error(`expected ${name} (${op}) in the CLI output, found ${block ? block.op : 'nothing'}:\n${output}`);
  }
  return block;
}

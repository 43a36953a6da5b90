// Placeholder until the command is built; it fails loudly rather than pretending.
export async function run(_args: string[]): Promise<number> {
  process.stderr.write('specql maintain: not implemented yet\n');
  return 1;
}

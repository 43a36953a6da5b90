/** The `specql` command line. Subcommands are registered in ./commands. */
export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  process.stderr.write(`specql: unknown command ${command ?? '(none)'}\n`);
  return 1;
}

/**
 * The `specql` command line. Each subcommand is one module in ./commands
 * exporting `run(args): Promise<number>` (the exit code); this file only
 * dispatches, so commands stay independent.
 */
const COMMANDS = {
  validate: 'check spec files; prints file:line:col: message per problem',
  sql: 'print the complete DDL for a fresh database',
  plan: 'compare specs with a live database and print the migration plan',
  apply: 'plan, then apply online; prints a report and the outputs',
  maintain: 'roll the partition window forward, archive old partitions, refresh views',
  worker: 'run what the specs schedule: drain queues, refresh views, maintain partitions',
  status: 'partitions, DEFAULT rows, index use, queues, view staleness; --check for alerts',
  verify: 'run the performance and structural checks the specs imply; prints TAP',
  'load-test': 'load synthetic rows with concurrent clients; reports rows/s, latency, metrics lag',
  'json-schema': 'print the JSON Schema for spec files (for editors)',
} as const;

type CommandName = keyof typeof COMMANDS;

export interface Command {
  run(args: string[]): Promise<number>;
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, text]) => `  ${name.padEnd(12)} ${text}`);
  return `usage: specql <command> [options] <path...>\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 1;
  }
  if (!(name in COMMANDS)) {
    process.stderr.write(`specql: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const command = require(`./commands/${name as CommandName}`) as Command;
  return command.run(rest);
}

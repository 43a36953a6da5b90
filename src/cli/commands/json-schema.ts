/** `specql json-schema`: prints the JSON Schema for spec files (committed as docs/specql.schema.json). */
import { specJsonSchemaText } from '../../spec/json-schema';

export async function run(args: string[]): Promise<number> {
  if (args.length > 0) {
    process.stderr.write('usage: specql json-schema > docs/specql.schema.json\n');
    return 1;
  }
  process.stdout.write(specJsonSchemaText());
  return 0;
}

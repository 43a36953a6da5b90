/** The repository's own Pulumi project staged in a temporary directory, as the bench and the
 *  e2e suite run it: Pulumi.yaml, package.json and specs/ copied (so a test may edit them),
 *  dist/ and node_modules/ linked (so the program and its dependencies are the built ones). */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function stageRepoProject(repo: string, dir: string): void {
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(repo, 'Pulumi.yaml'), path.join(dir, 'Pulumi.yaml'));
  fs.copyFileSync(path.join(repo, 'package.json'), path.join(dir, 'package.json'));
  fs.cpSync(path.join(repo, 'specs'), path.join(dir, 'specs'), { recursive: true });
  fs.symlinkSync(path.join(repo, 'dist'), path.join(dir, 'dist'));
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
}

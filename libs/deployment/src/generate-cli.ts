/** Writes the generated deployment files: npx tsx libs/deployment/src/generate-cli.ts */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedFiles } from './generate';
import { REPO_ROOT } from './paths';

for (const [path, content] of generatedFiles()) {
  const file = join(REPO_ROOT, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  console.log(`wrote ${path}`);
}

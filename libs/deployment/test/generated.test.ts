import { existsSync, readFileSync } from 'node:fs';
import { DATA_TOPICS } from '@stableyield/kafka';
import { TOPICS } from '../src/catalog';
import { generatedFiles } from '../src/generate';
import { repoPath } from '../src/paths';

describe('generated deployment files', () => {
  it.each([...generatedFiles().keys()])('%s matches libs/deployment/src/catalog.ts', (path) => {
    const expected = generatedFiles().get(path);
    const file = repoPath(path);
    if (!existsSync(file)) throw new Error(`${path} is missing: run npx tsx libs/deployment/src/generate-cli.ts`);
    const actual = readFileSync(file, 'utf8');
    if (actual !== expected)
      throw new Error(`${path} differs from its generator: run npx tsx libs/deployment/src/generate-cli.ts`);
    expect(actual).toBe(expected);
  });
});

describe('the deployment topic catalog', () => {
  it('agrees with the one the apps provision (libs/kafka): partitions, cleanup policy, retention', () => {
    const deployed = TOPICS.map((t) => [t.name, t.partitions, t.cleanupPolicy, t.retentionDays * 86_400_000]);
    const provisioned = DATA_TOPICS.map((t) => [t.name, t.partitions, t.cleanupPolicy, t.retentionMs]);
    expect(deployed).toEqual(provisioned);
  });
});

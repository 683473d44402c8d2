// The example scenario files shipped with the app (and shown in docs/market-sim.md) must stay valid.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario } from '@stableyield/market-model';
import { parse as parseYaml } from 'yaml';

const dir = join(__dirname, '../scenarios');

describe('example scenarios', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

  it('exist', () => {
    expect(files.sort()).toEqual(['bad-data.yaml', 'hermes-trouble.yaml', 'usdc-depeg.yaml']);
  });

  it.each(files)('%s is a valid scenario', (file) => {
    const r = parseScenario(parseYaml(readFileSync(join(dir, file), 'utf8')));
    if (!r.ok) throw new Error(r.reason);
    expect(r.scenario.name).toBe(file.replace(/\.yaml$/, ''));
    expect(r.scenario.events.length).toBeGreaterThan(0);
  });
});

// The full fault run (tests/system/src/chaos.ts) from the command line: starts the whole
// system on the running stack, lets it settle, injects every fault, verifies, and writes
// artifacts/chaos-report.{json,md}. Prints the JSON report; exits 1 when anything was lost.
//   npm run chaos            the full run
//   npm run chaos -- --short the form CI runs
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chaosMarkdown, runChaos } from '../tests/system/src/chaos';
import { System } from '../tests/system/src/testing';

async function main(): Promise<void> {
  const short = process.argv.includes('--short');
  const system = new System({ wsClients: 2 });
  try {
    await system.start();
    system.startIngesters();
    await new Promise((r) => setTimeout(r, 30_000));
    const report = await runChaos(system, { short, log: (line) => process.stderr.write(`chaos: ${line}\n`) });
    const dir = join(__dirname, '..', 'artifacts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'chaos-report.json'), JSON.stringify(report, null, 2));
    writeFileSync(join(dir, 'chaos-report.md'), chaosMarkdown(report));
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    process.exitCode = report.problems.length === 0 ? 0 : 1;
  } finally {
    await system.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

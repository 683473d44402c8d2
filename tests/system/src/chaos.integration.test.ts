/**
 * The fault run's short form (chaos.ts): the whole system (System) with a Kafka broker
 * SIGKILLed and restarted, six apps SIGKILLed and restarted, PostgreSQL stopped for 30 s, the
 * Hermes stream silent and the keeper's WebSocket RPC cut. Nothing may be lost or duplicated,
 * and every fault must be recovered from within 30 s. The report is written to
 * artifacts/chaos-report.{json,md}. The full run: `npm run chaos`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@stableyield/stream/testing';
import { chaosMarkdown, runChaos } from './chaos';
import { System } from './testing';

jest.setTimeout(1_500_000);
jest.retryTimes(0);

const system = new System({ wsClients: 2 });
afterAll(() => system.stop());

it(
  'loses and duplicates nothing through a broker kill, app kills, a database outage, ' +
    'a silent Hermes and a cut RPC',
  async () => {
    await system.start();
    system.startIngesters();
    await new Promise((r) => setTimeout(r, 20_000));
    const report = await runChaos(system, { short: true, log: (line) => process.stdout.write(`chaos: ${line}\n`) });
    const dir = join(repoRoot(), 'artifacts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'chaos-report.json'), JSON.stringify(report, null, 2));
    writeFileSync(join(dir, 'chaos-report.md'), chaosMarkdown(report));
    process.stdout.write(chaosMarkdown(report));
    expect(report.faults.length).toBeGreaterThanOrEqual(10);
    expect(report.problems).toEqual([]);
    expect(report.published).toBeGreaterThan(report.runSeconds / 2);
  },
);

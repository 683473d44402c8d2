/**
 * The whole system end to end (system.ts), as Kubernetes runs it: every app logs in to a SCRAM
 * broker as its own principal, with its least-privilege ACLs and PROVISION_TOPICS=false, on the
 * topics of the KafkaTopic manifests; the registry, PostgreSQL, ClickHouse and anvil beside it
 * (the fault run, chaos.integration.test.ts, runs on the 3-broker cluster). A scenario depegs USDC
 * and cuts Binance off for a while; processor-syi is restarted halfway, as a rolling deploy would
 * (SIGTERM, then its state restored from its changelog). Then System.verify(): syi.calculated
 * equals `syi replay` of the recorded inputs at every grid point, chained; PostgreSQL, ClickHouse,
 * the REST API and WebSocket clients (on a two-worker gateway) hold the same index; the oracle
 * follows Hermes within the keeper's deviation threshold, nothing pushed twice, and the keeper
 * published the index to a SyiFeed; no dead letter but late events, at most 10 % of a topic
 * (dead-letters.ts: on two shared cores a producer can stall past the lateness bound).
 *   E2E_RUN_MS   how long the market runs (default 120 000)
 */
import type { VenuePrice } from '@stableyield/schemas';
import { System } from './testing';

jest.setTimeout(900_000);
// one long run: a retry would only repeat it
jest.retryTimes(0);

const RUN_MS = Number(process.env.E2E_RUN_MS ?? 120_000);

/** USDC slides to 0.97 and recovers; Binance answers 503 for a while (its order books pause). */
const SCENARIO = {
  name: 'e2e-depeg-and-outage',
  events: [
    { type: 'depeg', at: '20s', symbol: 'USDC', price: 0.97, ramp: '20s', duration: '60s' },
    { type: 'outage', at: '30s', source: 'binance', mode: '503', duration: '40s' },
  ],
};

const system = new System({ kafka: 'kubernetes' });
afterAll(() => system.stop());

it(
  'runs the whole pipeline through a depeg and an outage: ' + 'every store, API and the oracle agree with the replay',
  async () => {
    await system.start();
    system.startIngesters();
    await system.scenario(SCENARIO);
    // a rolling restart of processor-syi halfway: it restores its state from its changelog, with its own ACLs
    await new Promise((r) => setTimeout(r, RUN_MS / 2));
    await system.restart('processor-syi', 'SIGTERM', system.envOfRunning('processor-syi'));
    await new Promise((r) => setTimeout(r, RUN_MS / 2));
    expect(system.crashed()).toEqual([]);
    await system.stopIngesters();

    const result = await system.verify();
    process.stdout.write(`e2e: ${result.published} index records; inputs ${JSON.stringify(result.counts)}\n`);
    expect(result.problems).toEqual([]);
    expect(result.published).toBeGreaterThan(RUN_MS / 1000 / 2);
    // the scenario reached the inputs
    const usdc = result.inputs.filter((r) => r.topic === 'cc.prices' && (r.value as VenuePrice).symbol === 'USDC');
    expect(Math.min(...usdc.map((r) => (r.value as VenuePrice).price))).toBeLessThan(0.985);
  },
);

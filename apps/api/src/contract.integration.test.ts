/**
 * The API against its own OpenAPI document: scripts/api-contract.sh (schemathesis, `--checks all`,
 * fixed seed) on the real app over the real stack, once as an anonymous client and once with an
 * API key from `npm run api-keys`. Any failure — a 5xx, an undocumented status or header, a
 * schema-valid request refused, a wrong answer to an undeclared method — fails the test.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { signedChain, storeRecords } from '@stableyield/api-core/testing';
import { repoRoot, sampleRecords } from '@stableyield/sink-model/testing';
import { waitFor } from '@stableyield/kafka/testing';
import { http } from 'viem';
import { chainFromId, createChainClients, syiFeedAbi, syiRoundOf } from '@stableyield/chain';
import { anvilTestAccount, deployTestSyiFeed, startAnvil, type TestAnvil } from '@stableyield/chain/testing';
import { apiKeys, startServing, type ServingStack } from './testing';

jest.setTimeout(600_000);

let s: ServingStack;
let anvil: TestAnvil | undefined;
// Kept for a look after a run (git-ignored): schemathesis' JSON and JUnit reports.
const reports = join(repoRoot(), 'artifacts/api-contract');

beforeAll(async () => {
  // High limits: the run must see the 429 documented, not be stopped by it.
  // A SYI feed with one round, so /api/index/onchain answers 200 too (not only its 503).
  anvil = await startAnvil();
  const updater = anvilTestAccount(1);
  const feed = await deployTestSyiFeed(
    anvil,
    updater.address,
    join(process.env['STACK_CACHE'] ?? join(homedir(), '.cache', 'stableyield'), 'solc'),
  );
  const chain = createChainClients({
    transport: http(anvil.httpUrl),
    chain: chainFromId(anvil.chainId),
    account: updater,
    pollingIntervalMs: 100,
  });
  const round = syiRoundOf({
    ts: Math.floor(Date.now() / 60_000) * 60_000,
    value: 4.2,
    rpl: 0.3,
    inputsDigest: 'cd'.repeat(32),
    digest: 'ab'.repeat(32),
  });
  await chain.publicClient.waitForTransactionReceipt({
    hash: await chain.walletClient.writeContract({
      address: feed,
      abi: syiFeedAbi,
      functionName: 'publish',
      args: [round.answer, round.rpl, round.updatedAt, round.inputsDigest, round.digest],
    }),
  });
  s = await startServing({
    RATE_LIMIT_PER_IP: '1000000',
    RATE_LIMIT_PER_KEY: '1000000',
    AUTH_FAILURES_PER_IP: '1000000',
    SYI_FEED_ADDRESS: feed,
    RPC_URL: anvil.httpUrl,
  });
  // Data behind every route, so the run reaches past 503 (no index yet) and empty answers.
  const records = signedChain(30, Date.now() - 30 * 60_000, { stepMs: 60_000 });
  await storeRecords(s.pool, s.variant, 'syi.calculated', records);
  // A peg measure of the documented example symbol and T-bill observations: their routes answer 200, not only 404.
  await storeRecords(
    s.pool,
    s.variant,
    'syi.peg',
    sampleRecords('syi.peg', 'ct', 3).map((r) => ({ ...r.value, symbol: 'USDC' })),
  );
  await storeRecords(
    s.pool,
    s.variant,
    'trad.tbill',
    sampleRecords('trad.tbill', 'ct', 3).map((r) => r.value),
  );
  await s.publisher.publish(records.at(-1)!);
  await waitFor(
    'the latest record at the API',
    async () => (await fetch(`${s.apiUrl}/api/index/latest`)).status === 200,
    30_000,
  );
}, 180_000);

afterAll(async () => {
  await s?.stop();
  await anvil?.stop();
});

interface ContractRun {
  code: number | null;
  output: string;
  report: { failures: number; operations: number; manyCases: boolean };
}

async function runContract(apiKey?: string): Promise<ContractRun> {
  const env = { ...process.env, CONTRACT_REPORT_DIR: reports, ...(apiKey ? { API_KEY: apiKey } : {}) };
  if (!apiKey) delete env.API_KEY;
  const child = spawn('bash', [join(repoRoot(), 'scripts/api-contract.sh'), s.apiUrl], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output, report: summary(join(reports, `${apiKey ? 'with-key' : 'anonymous'}.json`)) };
}

interface Report {
  failures: unknown[];
  errors: unknown[];
  operations: { tested: number };
  test_cases: { generated: number };
}

/**
 * From schemathesis' JSON report: failures and errors found, operations tested, whether it ran a real number of
 * cases.
 */
function summary(path: string): ContractRun['report'] {
  const report = JSON.parse(readFileSync(path, 'utf8')) as Report;
  return {
    failures: report.failures.length + report.errors.length,
    operations: report.operations.tested,
    manyCases: report.test_cases.generated >= 200,
  };
}

const tail = (text: string) => text.split('\n').slice(-80).join('\n');

/** Every operation the live document declares: schemathesis must have tested each one. */
async function documentedOperations(): Promise<number> {
  const doc = (await (await fetch(`${s.apiUrl}/api/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.values(doc.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
}

it('passes every schemathesis check as an anonymous client', async () => {
  const run = await runContract();
  if (run.code !== 0) console.log(tail(run.output));
  expect(run.code).toBe(0);
  expect(run.report).toEqual({ failures: 0, operations: await documentedOperations(), manyCases: true });
});

it('passes every schemathesis check with an API key, which it never prints', async () => {
  const [created] = await apiKeys(s.databaseUrl, 'create', 'schemathesis');
  const key = String(created?.key);
  expect(key).toMatch(/^syk_/);
  const run = await runContract(key);
  if (run.code !== 0) console.log(tail(run.output));
  expect(run.code).toBe(0);
  expect(run.report).toEqual({ failures: 0, operations: await documentedOperations(), manyCases: true });
  expect(run.output).not.toContain(key);
});

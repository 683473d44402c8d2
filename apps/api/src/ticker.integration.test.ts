import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { chromium, type Browser } from 'playwright-core';
import { getAddress, http, type Address } from 'viem';
import { chainFromId, createChainClients, syiFeedAbi, syiRoundOf } from '@stableyield/chain';
import { anvilTestAccount, deployTestSyiFeed, startAnvil, type TestAnvil } from '@stableyield/chain/testing';
import { signedChain, storeRecords } from '@stableyield/api-core/testing';
import { repoRoot } from '@stableyield/sink-model/testing';
import { startServing, type ServingStack } from './testing';

/** Debian's chromium (apt-get install chromium); CHROMIUM_PATH overrides. */
const CHROMIUM =
  process.env.CHROMIUM_PATH ??
  ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ??
  '/usr/bin/chromium';

let s: ServingStack;
let browser: Browser;
// The SYI feed the api reads for /api/index/onchain: a private anvil, rounds published by the test.
let anvil: TestAnvil;
let feed: Address;
const SOLC_CACHE = join(process.env['STACK_CACHE'] ?? join(homedir(), '.cache', 'stableyield'), 'solc');

async function publishOnchain(record: {
  ts: number;
  value: number;
  rpl: number | null;
  digest: string;
}): Promise<void> {
  const updater = anvilTestAccount(1);
  const { publicClient, walletClient } = createChainClients({
    transport: http(anvil.httpUrl),
    chain: chainFromId(anvil.chainId),
    account: updater,
    pollingIntervalMs: 100,
  });
  // The fixture's inputsDigest is a placeholder, not hex.
  const r = syiRoundOf({ ...record, inputsDigest: 'cd'.repeat(32), ts: Math.floor(record.ts / 1000) * 1000 });
  const hash = await walletClient.writeContract({
    address: feed,
    abi: syiFeedAbi,
    functionName: 'publish',
    args: [r.answer, r.rpl, r.updatedAt, r.inputsDigest, r.digest],
  });
  await publicClient.waitForTransactionReceipt({ hash });
}

beforeAll(async () => {
  anvil = await startAnvil();
  feed = await deployTestSyiFeed(anvil, anvilTestAccount(1).address, SOLC_CACHE);
  s = await startServing({ SYI_FEED_ADDRESS: feed, RPC_URL: anvil.httpUrl, ONCHAIN_CACHE_MS: '500' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
  await anvil?.stop();
});

describe('ticker page', () => {
  it('shows the current index and updates it live when a record is published', async () => {
    // Three hours of stored history for the chart, then live records.
    const now = Date.now();
    const history = signedChain(3 * 60 * 6, now - 3 * 3_600_000, {
      stepMs: 10_000,
      value: (i) => 3.6 + 0.15 * Math.sin(i / 90) + 0.02 * Math.sin(i / 7),
    });
    await storeRecords(s.pool, s.variant, 'syi.calculated', history);
    const records = signedChain(4, now - 3_000, { value: (i) => 3.5 + i / 10 });
    await s.publisher.publish(records[0]!);
    await publishOnchain(records[0]!);
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (m) => errors.push(`console: ${m.text()}`));
    await page.goto(s.apiUrl);
    await page.waitForSelector(`#syi-value[data-ts="${records[0]!.ts}"]`, { timeout: 15_000 });
    await page.waitForSelector('#status[data-state="live"]', { timeout: 15_000 });
    expect(await page.textContent('#syi-value')).toBe('3.5000');

    for (const record of records.slice(1)) await s.publisher.publish(record);
    const last = records.at(-1)!;
    await page.waitForSelector(`#syi-value[data-ts="${last.ts}"]`, { timeout: 10_000 });
    expect(await page.textContent('#syi-value')).toBe(last.value.toFixed(4));
    expect(await page.textContent('#rpl-value')).toBe(`+${last.rpl!.toFixed(4)}`);
    expect(await page.locator('#constituents tr').count()).toBe(last.constituents.length);
    expect(await page.textContent('#constituents tr:first-child td:first-child')).toBe('USDC');
    // The on-chain SYI (round 1, the first record's 3.5 %) and its age; the latest is 3.8 %.
    await page.waitForSelector('#onchain-value[data-round="1"]', { timeout: 15_000 });
    expect(await page.textContent('#onchain-value')).toBe('3.5000');
    await page.waitForSelector('#onchain-age:has-text("-789.47 bp vs latest")', { timeout: 15_000 });
    expect(await page.textContent('#onchain-age')).toMatch(/^round 1 · updated \d+ s ago · -789\.47 bp vs latest$/);
    const served = (await (await fetch(`${s.apiUrl}/api/index/onchain`)).json()) as Record<string, unknown>;
    expect(served).toEqual({
      address: getAddress(feed),
      chainId: 31337,
      decimals: 8,
      roundId: '1',
      answer: '350000000',
      value: 3.5,
      updatedAt: Math.floor(records[0]!.ts / 1000),
      digest: `0x${records[0]!.digest}`,
      deviationFromLatestBps: -789.4737,
    });
    // No auditor runs beside this api: the page says so instead of claiming a check.
    await page.waitForSelector('#verified:has-text("Independent check: not available")', { timeout: 10_000 });
    // The chart holds the stored minutes plus the live one.
    expect((await page.getAttribute('#chart-line', 'points'))!.split(' ').length).toBeGreaterThan(170);

    const artifacts = join(repoRoot(), 'artifacts');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'ticker.png'), fullPage: true });
    expect(existsSync(join(artifacts, 'ticker.png'))).toBe(true);
    expect(errors).toEqual([]);
  });
});

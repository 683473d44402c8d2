import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { signedChain, storeRecords } from '@stableyield/api-core/testing';
import { repoRoot } from '@stableyield/db/testing';
import { startServing, type ServingStack } from './testing';

/** Debian's chromium (apt-get install chromium); CHROMIUM_PATH overrides. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? '/usr/bin/chromium';

let s: ServingStack;
let browser: Browser;

beforeAll(async () => {
  s = await startServing();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

describe('ticker page', () => {
  it('shows the current index and updates it live when a record is published', async () => {
    // Three hours of stored history for the chart, then live records.
    const now = Date.now();
    const history = signedChain(3 * 60 * 6, now - 3 * 3_600_000, { stepMs: 10_000, value: (i) => 3.6 + 0.15 * Math.sin(i / 90) + 0.02 * Math.sin(i / 7) });
    await storeRecords(s.pool, s.variant, 'syi.calculated', history);
    const records = signedChain(4, now - 3_000, { value: (i) => 3.5 + i / 10 });
    await s.publisher.publish(records[0]!);
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

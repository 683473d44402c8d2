import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { EXIT_INVALID, EXIT_OK, runCommand } from './replay-command';

const BASE = 1_767_225_600_000;
const validLines = [
  { topic: 'ex.mktcap', value: { symbol: 'USDC', marketCapUsd: 1e10, ts: BASE } },
  {
    topic: 'dl.apy',
    value: {
      pool: 'p',
      project: 'x',
      chain: 'y',
      symbol: 'USDC',
      tvlUsd: 5e7,
      apyBase: 4,
      apyReward: 0,
      apy: 4,
      ts: BASE,
    },
  },
  { topic: 'cc.prices', value: { symbol: 'USDC', venue: 'a', price: 1, volume24hUsd: 1e8, ts: BASE } },
].map((e) => JSON.stringify(e));

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { stdout, stderr, out: () => out, err: () => err };
}

async function run(argv: string[], stdinText = '') {
  const io = capture();
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const status = await runCommand(argv, { stdin, stdout: io.stdout, stderr: io.stderr });
  return { status, out: io.out(), err: io.err() };
}

describe('runCommand', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'syi-cli-'));
  const file = path.join(dir, 'events.jsonl');
  writeFileSync(file, validLines.join('\n') + '\n');

  it('replays a file to one JSON line per record', async () => {
    const { status, out, err } = await run(['replay', '--input', file, '--interval', '60']);
    expect(status).toBe(EXIT_OK);
    expect(err).toBe('');
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ ts: BASE, eligible: 1, methodologyVersion: '1' });
  });
  it('reads standard input with --input -', async () => {
    const fromStdin = await run(['replay', '--input', '-', '--interval', '60'], validLines.join('\n'));
    const fromFile = await run(['replay', '--input', file, '--interval', '60']);
    expect(fromStdin.out).toBe(fromFile.out);
  });
  it('exits 2 naming the line and the problem', async () => {
    const { status, out, err } = await run(
      ['replay', '--input', '-', '--interval', '60'],
      `${validLines[0]}\n{"topic":"cc.prices","value":{"symbol":"USDC","venue":"a","price":1}}\n`,
    );
    expect(status).toBe(EXIT_INVALID);
    expect(out).toBe('');
    expect(err).toBe('syi: line 2: cc.prices.ts must be a finite number (got missing)\n');
  });
  it('skips invalid lines with --skip-invalid and reports the count on standard error', async () => {
    const { status, out, err } = await run(
      ['replay', '--input', '-', '--interval', '60', '--skip-invalid'],
      [...validLines, '{', '{"topic":"x","value":{}}'].join('\n'),
    );
    expect(status).toBe(EXIT_OK);
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(err).toBe('syi: skipped 2 invalid line(s)\n');
  });
  it('exits 2 with the usage on bad arguments or an unreadable file', async () => {
    const usage = await run(['replay', '--input', file]);
    expect(usage.status).toBe(EXIT_INVALID);
    expect(usage.err).toMatch(/^syi: missing --interval\nusage: syi replay/);
    const missing = await run(['replay', '--input', path.join(dir, 'nope.jsonl'), '--interval', '1']);
    expect(missing.status).toBe(EXIT_INVALID);
    expect(missing.err).toMatch(/^syi: cannot read .*nope\.jsonl/);
  });
});

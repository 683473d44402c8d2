// End to end, as a user runs it from the repository root.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const VECTORS = path.join(REPO, 'libs/index-engine/test/vectors');

function close(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= 1e-12 || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

interface Rec {
  ts: number;
  value: number;
  rpl: number | null;
  mode: string;
  eligible: number;
  constituents: { symbol: string; weight: number; ray: number }[];
}

describe('npm run --silent syi -- replay', () => {
  it.each(['basic', 'stress', 'edge'])(
    'matches the %s vector and writes only records to stdout',
    (name) => {
      const result = spawnSync(
        'npm',
        [
          'run',
          '--silent',
          'syi',
          '--',
          'replay',
          '--input',
          path.join(VECTORS, `${name}.events.jsonl`),
          '--interval',
          '60',
        ],
        {
          cwd: REPO,
          encoding: 'utf8',
          maxBuffer: 1 << 28,
        },
      );
      expect(result.status).toBe(0);
      const actual = result.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Rec);
      const expected = readFileSync(path.join(VECTORS, `${name}.expected.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Rec);
      expect(actual.map((r) => r.ts)).toEqual(expected.map((r) => r.ts));
      expected.forEach((e, i) => {
        const a = actual[i]!;
        expect([a.mode, a.eligible]).toEqual([e.mode, e.eligible]);
        expect(close(a.value, e.value) && close(a.rpl, e.rpl)).toBe(true);
        expect(a.constituents.map((c) => c.symbol)).toEqual(e.constituents.map((c) => c.symbol));
        e.constituents.forEach((ec, k) =>
          expect(close(a.constituents[k]!.weight, ec.weight) && close(a.constituents[k]!.ray, ec.ray)).toBe(true),
        );
      });
    },
    60_000,
  );

  it('exits 2 on a bad line, naming it', () => {
    const result = spawnSync('npm', ['run', '--silent', 'syi', '--', 'replay', '--input', '-', '--interval', '1'], {
      cwd: REPO,
      encoding: 'utf8',
      input: '{"topic":"cc.orderbook","value":{"symbol":"USDC","venue":"a","bids":[[1]],"asks":[],"ts":1}}\n',
    });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('syi: line 1: cc.orderbook.bids[0] must be a [price, qty] pair');
  }, 60_000);
});

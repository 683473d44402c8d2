// Reads the real upstream captures in test/fixtures/ (where each one comes from: fixtures/SOURCES.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(__dirname, 'fixtures');

export function fixtureText(name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

export function fixtureJson(name: string): unknown {
  const text = fixtureText(name);
  // The Binance doc examples are JSONC ("// PRICE" comments); no string in them contains "//".
  return JSON.parse(name.endsWith('.jsonc') ? text.replace(/\/\/.*$/gm, '') : text) as unknown;
}

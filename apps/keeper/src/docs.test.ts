// docs/keeper.md's configuration table states the defaults the code has.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAppConfig } from './config';

const table = readFileSync(join(__dirname, '../../../docs/keeper.md'), 'utf8');

/** The default column of a variable's row: `| \`NAME\` | default | meaning |`. */
function documentedDefault(name: string): string | undefined {
  const row = table.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
  return row?.split('|')[2]?.trim();
}

describe('docs/keeper.md', () => {
  const config = loadAppConfig({
    PRIVATE_KEY: `0x${'11'.repeat(32)}`,
    RPC_URL: 'http://127.0.0.1:8545',
    CONTRACT_ADDRESS: `0x${'22'.repeat(20)}`,
  });

  it.each([
    'MAX_GAS_PRICE_GWEI',
    'SHUTDOWN_TIMEOUT_MS',
    'MAX_STALENESS',
    'MAX_SOURCE_AGE_S',
    'FEE_CAP_MARKET_MULTIPLE',
    'GAS_MODE',
    'UPDATE_FEE_MULTIPLIER',
    'CONFIRMATIONS',
    'ONCHAIN_REFRESH_ATTEMPTS',
    'MULTICALL',
    'SYI_DEVIATION_BPS',
    'SYI_HEARTBEAT_S',
    'SYI_MIN_INTERVAL_S',
  ] as const)('documents the default of %s as the code has it', (name) => {
    expect(documentedDefault(name)).toBe(String(config[name]));
  });
});

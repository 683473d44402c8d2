// Writes libs/chain/src/syi-feed-abi.ts from the compiled contracts/SyiFeed.sol: the keeper and the API
// need the ABI typed (viem infers argument and result types from an `as const` ABI) without
// compiling Solidity at runtime. syi-feed-abi.test.ts fails when the file and the contract differ.
//   npx tsx libs/chain/src/deploy/generate-syi-feed-abi.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syiFeedArtifact } from './syi-feed-artifact';

export const SYI_FEED_ABI_FILE = join(__dirname, '..', 'syi-feed-abi.ts');

export function renderSyiFeedAbi(): string {
  const { abi } = syiFeedArtifact();
  return [
    '// GENERATED from contracts/SyiFeed.sol by libs/chain/src/deploy/generate-syi-feed-abi.ts; do not edit.',
    // One ABI entry a line: the file stays short, and its entries read as the contract's list.
    'export const syiFeedAbi = [',
    ...abi.map((entry) => `  ${JSON.stringify(entry)},`),
    '] as const;',
    '',
  ].join('\n');
}

if (require.main === module) {
  writeFileSync(SYI_FEED_ABI_FILE, renderSyiFeedAbi());
  console.log(`wrote ${SYI_FEED_ABI_FILE}`);
}

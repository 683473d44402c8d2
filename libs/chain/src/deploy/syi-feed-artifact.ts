// Compiles contracts/SyiFeed.sol (and, for tests, contracts/test/*.sol) with solc-js, as MockPyth is
// compiled (solc-artifact.ts). The typed ABI the keeper and the API use at runtime is generated from
// the same compilation into ../syi-feed-abi.ts (generate-syi-feed-abi.ts; a test keeps them equal).
import { join, resolve } from 'node:path';
import { compileArtifact, readSolidityDir, type ContractArtifact, type SoliditySources } from './solc-artifact';

/** The repository's contracts/ folder. */
export const CONTRACTS_DIR = resolve(__dirname, '..', '..', '..', '..', 'contracts');

function sources(withTests: boolean): SoliditySources {
  return {
    ...readSolidityDir(CONTRACTS_DIR),
    ...(withTests ? readSolidityDir(join(CONTRACTS_DIR, 'test'), 'test/') : {}),
  };
}

/** ABI and creation bytecode of SyiFeed (constructor: description, minAnswer, maxAnswer, updater). */
export function syiFeedArtifact(cacheDir?: string, evmVersion?: string): ContractArtifact {
  return compileArtifact({
    name: 'syi-feed',
    sources: sources(false),
    file: 'SyiFeed.sol',
    contract: 'SyiFeed',
    cacheDir,
    evmVersion,
  });
}

/** TEST ONLY: contracts/test/<name>.sol's contract <name>. */
export function testContractArtifact(name: string, cacheDir?: string): ContractArtifact {
  return compileArtifact({
    name: `test-${name}`,
    sources: sources(true),
    file: `test/${name}.sol`,
    contract: name,
    cacheDir,
  });
}

// Compiles Pyth's MockPyth.sol (from @pythnetwork/pyth-sdk-solidity) with solc-js, once (see
// solc-artifact.ts: memoised per process, cached on disk per solc version and sources).
import { dirname } from 'node:path';
import { compileArtifact, readSolidityDir, type ContractArtifact } from './solc-artifact';

export type { ContractArtifact } from './solc-artifact';

const SDK_DIR = dirname(require.resolve('@pythnetwork/pyth-sdk-solidity/package.json'));

/**
 * ABI and creation bytecode of MockPyth; compiled at most once per process and once per cacheDir.
 * `evmVersion` targets an older EVM (e.g. 'berlin': no PUSH0, for a chain without EIP-1559 in tests).
 */
export function mockPythArtifact(cacheDir?: string, evmVersion?: string): ContractArtifact {
  return compileArtifact({
    name: 'mock-pyth',
    sources: readSolidityDir(SDK_DIR),
    file: 'MockPyth.sol',
    contract: 'MockPyth',
    cacheDir,
    evmVersion,
  });
}

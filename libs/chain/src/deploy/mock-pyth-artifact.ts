// Compiles Pyth's MockPyth.sol (from @pythnetwork/pyth-sdk-solidity) with solc-js, once:
// the artifact is memoised per process and, when a cache directory is given, kept on disk
// keyed by the solc version and a hash of the sources (solc-js takes seconds; tests start many anvils).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import solc from 'solc';
import { type Abi, type Hex } from 'viem';

export interface ContractArtifact {
  abi: Abi;
  bytecode: Hex;
}

const SDK_DIR = dirname(require.resolve('@pythnetwork/pyth-sdk-solidity/package.json'));

function readSources(): Record<string, { content: string }> {
  const sources: Record<string, { content: string }> = {};
  for (const file of readdirSync(SDK_DIR).filter((f) => f.endsWith('.sol')).sort()) {
    sources[file] = { content: readFileSync(join(SDK_DIR, file), 'utf8') };
  }
  return sources;
}

// solc-js is typed `any`; these are the two calls used (standard JSON in, standard JSON out).
const solcCompile = solc.compile as (input: string) => string;
const solcVersion = solc.version as () => string;

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
}

function compile(sources: Record<string, { content: string }>, evmVersion?: string): ContractArtifact {
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      ...(evmVersion ? { evmVersion } : {}),
      outputSelection: { 'MockPyth.sol': { MockPyth: ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solcCompile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`MockPyth compilation failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const contract = output.contracts?.['MockPyth.sol']?.['MockPyth'];
  if (!contract) throw new Error('MockPyth compilation produced no contract');
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
}

const memo = new Map<string, ContractArtifact>();

/**
 * ABI and creation bytecode of MockPyth; compiled at most once per process and once per cacheDir.
 * `evmVersion` targets an older EVM (e.g. 'berlin': no PUSH0, for a chain without EIP-1559 in tests).
 */
export function mockPythArtifact(cacheDir?: string, evmVersion?: string): ContractArtifact {
  const known = memo.get(evmVersion ?? '');
  if (known) return known;
  const sources = readSources();
  const key = createHash('sha256')
    .update(solcVersion())
    .update(JSON.stringify(sources))
    .update(evmVersion ?? '')
    .digest('hex')
    .slice(0, 16);
  const cacheFile = cacheDir ? join(cacheDir, `mock-pyth-${key}.json`) : undefined;
  if (cacheFile && existsSync(cacheFile)) {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as ContractArtifact;
    memo.set(evmVersion ?? '', cached);
    return cached;
  }
  const artifact = compile(sources, evmVersion);
  memo.set(evmVersion ?? '', artifact);
  if (cacheFile) {
    mkdirSync(dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(artifact));
    renameSync(tmp, cacheFile); // atomic: parallel test workers never read half a file
  }
  return artifact;
}

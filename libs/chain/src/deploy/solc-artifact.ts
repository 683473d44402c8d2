// Compiles Solidity sources with solc-js (standard JSON), once: an artifact is memoised per process
// and, when a cache directory is given, kept on disk keyed by the solc version and a hash of the
// sources (solc-js takes seconds; tests start many anvils). MockPyth and the SYI feed both use it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Abi, type Hex } from 'viem';

export interface ContractArtifact {
  abi: Abi;
  bytecode: Hex;
}

export type SoliditySources = Record<string, { content: string }>;

export interface CompileRequest {
  /** Cache file prefix, e.g. 'mock-pyth'. */
  name: string;
  sources: SoliditySources;
  /** The source file and contract to take the artifact of. */
  file: string;
  contract: string;
  cacheDir?: string | undefined;
  /** An older EVM (e.g. 'berlin': no PUSH0, for a chain without EIP-1559 in tests). */
  evmVersion?: string | undefined;
}

// solc-js is typed `any`; these are the two calls used (standard JSON in, standard JSON out). Loaded
// on first use: the apps that import @stableyield/chain (keeper, api) never compile, and loading
// solc-js costs seconds and tens of MB.
interface Solc {
  compile(input: string): string;
  version(): string;
}
let loaded: Solc | undefined;
function solcJs(): Solc {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('solc') as Solc;
  return loaded;
}
const solcCompile = (input: string): string => solcJs().compile(input);
const solcVersion = (): string => solcJs().version();

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
}

function compile(req: CompileRequest): ContractArtifact {
  const input = {
    language: 'Solidity',
    sources: req.sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      ...(req.evmVersion ? { evmVersion: req.evmVersion } : {}),
      outputSelection: { [req.file]: { [req.contract]: ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solcCompile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0)
    throw new Error(`${req.contract} compilation failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const contract = output.contracts?.[req.file]?.[req.contract];
  if (!contract) throw new Error(`${req.contract} compilation produced no contract`);
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
}

const memo = new Map<string, ContractArtifact>();

/** ABI and creation bytecode of one contract; compiled at most once per process and once per cacheDir. */
export function compileArtifact(req: CompileRequest): ContractArtifact {
  const key = createHash('sha256')
    .update(solcVersion())
    .update(JSON.stringify(req.sources))
    .update(`${req.file}:${req.contract}:${req.evmVersion ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  const known = memo.get(key);
  if (known) return known;
  const cacheFile = req.cacheDir ? join(req.cacheDir, `${req.name}-${key}.json`) : undefined;
  if (cacheFile && existsSync(cacheFile)) {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as ContractArtifact;
    memo.set(key, cached);
    return cached;
  }
  const artifact = compile(req);
  memo.set(key, artifact);
  if (cacheFile) {
    mkdirSync(dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(artifact));
    renameSync(tmp, cacheFile); // atomic: parallel test workers never read half a file
  }
  return artifact;
}

/** Every `.sol` file directly in `dir`, keyed by `prefix + name` (how imports name them). */
export function readSolidityDir(dir: string, prefix = ''): SoliditySources {
  const sources: SoliditySources = {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.sol'))
    .sort())
    sources[`${prefix}${file}`] = { content: readFileSync(join(dir, file), 'utf8') };
  return sources;
}

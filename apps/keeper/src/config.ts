// keeper configuration (docs/keeper.md lists every variable). The private key is a secret: it comes
// from PRIVATE_KEY or PRIVATE_KEY_FILE and is never logged (pino redacts PRIVATE_KEY paths too).
import {
  booleanFlag,
  httpUrl,
  kafkaAppSchema,
  loadConfig,
  nonNegativeInt,
  nonNegativeNumber,
  port,
  positiveInt,
  positiveNumber,
  z,
} from '@stableyield/config';
import { parseRpcUrls } from '@stableyield/chain';

const privateKey = z
  .string()
  .trim()
  .regex(/^(0x)?[0-9a-fA-F]{64}$/, 'must be 32 bytes of hex') // the message never echoes the value
  .transform((k): `0x${string}` => (k.startsWith('0x') ? (k as `0x${string}`) : `0x${k}`));

const rpcUrls = z.string().transform((value, ctx) => {
  try {
    return parseRpcUrls(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address')
  .transform((a) => a as `0x${string}`);

/** "1=200,10=0.5,8453=0.5": chain id → MAX_GAS_PRICE_GWEI on that chain. */
const gweiByChain = z.string().transform((value, ctx) => {
  const caps = new Map<number, number>();
  for (const entry of value.split(/[\s,]+/).filter((e) => e.length > 0)) {
    const m = /^(\d+)=(\d+(?:\.\d+)?)$/.exec(entry);
    const gwei = m ? Number(m[2]) : NaN;
    if (!m || !(gwei > 0)) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not chainId=gwei (e.g. 8453=0.5)` });
      return z.NEVER;
    }
    caps.set(Number(m[1]), gwei);
  }
  return caps;
});

export const configSchema = z.object({
  ...kafkaAppSchema,
  /** Long enough for a pending transaction's fate: stuck timeout × (1 + replacements). */
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(120_000),
  // The seed's table.
  PRIVATE_KEY: privateKey,
  RPC_URL: rpcUrls,
  CONTRACT_ADDRESS: address,
  DEBOUNCE_MS: positiveInt.default(1000),
  MIN_PRICE_CHANGE_PERCENT: nonNegativeNumber.default(0.01),
  MAX_STALENESS: positiveInt.default(30),
  /** A max-staleness push must gain this much publish time (default MAX_STALENESS / 2): lagging input cannot storm. */
  STALENESS_MIN_GAIN_S: nonNegativeInt.optional(),
  /** Hermes prices older than this on the chain's clock are dropped (the price pusher's 60 s). */
  MAX_SOURCE_AGE_S: positiveInt.default(60),
  FORCE_UPDATE_INTERVAL_MS: positiveInt.default(300_000),
  RETRY_ATTEMPTS: positiveInt.default(3),
  METRICS_PORT: port.default(9090),
  // Price config: the price pusher's YAML; without it the simulator's eight feeds (default-feeds.ts).
  PRICE_CONFIG_FILE: z.string().min(1).optional(),
  CONFIDENCE_RATIO_PERCENT: nonNegativeNumber.default(100),
  EARLY_UPDATES: booleanFlag.default(true),
  EARLY_FRACTION: nonNegativeNumber.max(1).default(0.5),
  ONCHAIN_REFRESH_MS: positiveInt.default(5_000),
  ONCHAIN_REFRESH_ATTEMPTS: positiveInt.default(3),
  /** auto: one Multicall3 eth_call per refresh where the chain has it; off: one call per feed. */
  MULTICALL: z.enum(['auto', 'off']).default('auto'),
  /** Optional: at start, every configured feed id is looked up here (GET /v2/price_feeds). */
  HERMES_URL: httpUrl.optional(),
  // Input: one partition, one active keeper per consumer group.
  KEEPER_INPUT_TOPIC: z.string().min(1).default('pyth.updates'),
  KEEPER_GROUP_ID: z.string().min(1).default('keeper'),
  /** A dead active keeper's partition moves to a standby after this (Kafka session timeout). */
  KEEPER_SESSION_TIMEOUT_MS: positiveInt.min(6_000).max(29_000).default(10_000),
  // Transactions.
  MAX_GAS_PRICE_GWEI: positiveNumber.default(500),
  /** Per-chain absolute caps, over MAX_GAS_PRICE_GWEI for the chains listed ("8453=0.5,1=200"). */
  MAX_GAS_PRICE_GWEI_BY_CHAIN: gweiByChain.optional(),
  /** A replacement never bids more than this multiple of the fresh market fee. */
  FEE_CAP_MARKET_MULTIPLE: positiveNumber.min(1.1).default(5),
  /** eip1559, or legacy for chains without a base fee (one gas price: eth_gasPrice × BASE_FEE_MULTIPLIER). */
  GAS_MODE: z.enum(['eip1559', 'legacy']).default('eip1559'),
  UPDATE_FEE_MULTIPLIER: positiveNumber.min(1).default(1),
  /** A fixed gas limit instead of the estimate × GAS_LIMIT_MULTIPLIER. */
  GAS_LIMIT: positiveInt.optional(),
  /** Blocks a receipt must have before a push counts as mined (more on chains that reorg). */
  CONFIRMATIONS: positiveInt.default(1),
  BASE_FEE_MULTIPLIER: positiveNumber.min(1).default(1.2),
  PRIORITY_FEE_MULTIPLIER: positiveNumber.default(1),
  REPLACEMENT_MULTIPLIER: positiveNumber.min(1.1).default(1.125),
  GAS_LIMIT_MULTIPLIER: positiveNumber.min(1).default(1.2),
  STUCK_AFTER_MS: positiveInt.default(30_000),
  RECEIPT_POLL_MS: positiveInt.default(500),
  MAX_REPLACEMENTS: positiveInt.default(3),
  /**
   * The in-flight transaction record (a persistent volume); default: a file per chain and wallet under the OS temp
   * dir.
   */
  KEEPER_STATE_FILE: z.string().min(1).optional(),
  // The SYI feed (docs/keeper.md, "The SYI feed"): absent, the keeper does not publish the SYI.
  SYI_FEED_ADDRESS: address.optional(),
  /** Publish when the newest SYI deviates this much from the on-chain value, basis points. */
  SYI_DEVIATION_BPS: positiveNumber.default(1),
  /** Publish when the on-chain value is this old (chain time − updatedAt), even without a deviation. */
  SYI_HEARTBEAT_S: positiveInt.default(3600),
  /**
   * Never publish a record whose T is less than this after the on-chain T (bounds the publish rate; 0: the deviation
   * alone).
   */
  SYI_MIN_INTERVAL_S: nonNegativeInt.default(0),
  /** The topic of index records (tests use a prefixed copy). */
  SYI_INPUT_TOPIC: z.string().min(1).default('syi.calculated'),
  // RPC.
  RPC_TIMEOUT_MS: positiveInt.default(10_000),
  WS_RECONNECT_ATTEMPTS: positiveInt.default(5),
  WS_RECONNECT_DELAY_MS: positiveInt.default(2_000),
  WS_REVIVE_INTERVAL_MS: positiveInt.default(30_000),
  /** The `network` label of pyth_wallet_balance (the price pusher's dashboards group by it). */
  NETWORK_NAME: z.string().min(1).default('local'),
  // /health thresholds and rate limit.
  WALLET_BALANCE_FLOOR_ETH: nonNegativeNumber.default(0.05),
  HEALTH_STALENESS_GRACE_S: positiveInt.default(30),
  HEALTH_MAX_INPUT_SILENCE_MS: positiveInt.default(30_000),
  HEALTH_MAX_RPC_SILENCE_MS: positiveInt.default(60_000),
  /** tx-stuck: a transaction in flight for longer than this. */
  HEALTH_MAX_IN_FLIGHT_MS: positiveInt.default(120_000),
  /** push-failures: this many pushes in a row failed or were left pending. */
  HEALTH_MAX_CONSECUTIVE_FAILURES: positiveInt.default(3),
  HEALTH_RATE_LIMIT_PER_S: positiveNumber.default(10),
  HEALTH_RATE_LIMIT_BURST: positiveInt.default(20),
});

export type Config = z.output<typeof configSchema>;

export const loadAppConfig = (env?: Record<string, string | undefined>): Config => loadConfig(configSchema, env);

/** The absolute fee cap on this chain: its MAX_GAS_PRICE_GWEI_BY_CHAIN entry, else MAX_GAS_PRICE_GWEI. */
export function maxGasPriceGwei(
  config: Pick<Config, 'MAX_GAS_PRICE_GWEI' | 'MAX_GAS_PRICE_GWEI_BY_CHAIN'>,
  chainId: number,
): number {
  return config.MAX_GAS_PRICE_GWEI_BY_CHAIN?.get(chainId) ?? config.MAX_GAS_PRICE_GWEI;
}

/** Default STALENESS_MIN_GAIN_S: half of MAX_STALENESS, so lagging input pushes at most twice as often. */
export function stalenessMinGainS(config: Pick<Config, 'MAX_STALENESS' | 'STALENESS_MIN_GAIN_S'>): number {
  return config.STALENESS_MIN_GAIN_S ?? Math.floor(config.MAX_STALENESS / 2);
}

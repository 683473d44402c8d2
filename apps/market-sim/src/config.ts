// market-sim configuration, validated once through @stableyield/config (fails fast, names every bad variable).
import { commonSchema, loadConfig as loadEnv, port, positiveInt, type Env, z } from '@stableyield/config';

const schema = z.object({
  ...commonSchema,
  MARKET_SIM_HOST: z.string().default('127.0.0.1'),
  MARKET_SIM_PORT: port.default(7100),
  MARKET_SIM_HEALTH_PORT: port.default(9212),
  MARKET_SIM_SEED: z.coerce.number().int().default(42),
  /** Hermes slots (stream events) per second; real Hermes is about 2.5 (400 ms slots). */
  MARKET_SIM_TICK_RATE: z.coerce.number().positive().max(10_000).default(2.5),
  /** A scenario file loaded at start (JSON or YAML). Not `*_FILE`: that suffix means a secret file to libs/config. */
  MARKET_SIM_SCENARIO_PATH: z.string().min(1).optional(),
  /** Interval of SSE keep-alive comments (axum's default is 15 s). */
  MARKET_SIM_KEEPALIVE_MS: positiveInt.default(15_000),
});

export interface Config {
  host: string;
  port: number;
  healthHost: string;
  healthPort: number;
  seed: number;
  tickRate: number;
  scenarioFile: string | undefined;
  keepAliveMs: number;
  logLevel: string;
  shutdownTimeoutMs: number;
}

export function loadConfig(env?: Env): Config {
  const e = env === undefined ? loadEnv(schema) : loadEnv(schema, env);
  return {
    host: e.MARKET_SIM_HOST,
    port: e.MARKET_SIM_PORT,
    healthHost: e.HEALTH_HOST,
    healthPort: e.MARKET_SIM_HEALTH_PORT,
    seed: e.MARKET_SIM_SEED,
    tickRate: e.MARKET_SIM_TICK_RATE,
    scenarioFile: e.MARKET_SIM_SCENARIO_PATH,
    keepAliveMs: e.MARKET_SIM_KEEPALIVE_MS,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}

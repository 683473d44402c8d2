import { loadConfig } from '@stableyield/config';
import { measureConfigSchema } from '@stableyield/stream';

export const configSchema = measureConfigSchema('liquidity', 9204);
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);

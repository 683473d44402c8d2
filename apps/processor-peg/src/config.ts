import { loadConfig } from '@stableyield/config';
import { measureConfigSchema } from '@stableyield/stream';

export const configSchema = measureConfigSchema('peg', 9203);
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);

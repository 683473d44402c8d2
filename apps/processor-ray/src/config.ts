import { loadConfig } from '@stableyield/config';
import { measureConfigSchema } from '@stableyield/stream';

export const configSchema = measureConfigSchema('ray', 9205);
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);

import { loadConfig, processorConfigSchema } from '@stableyield/config';

export const configSchema = processorConfigSchema(9204);
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);

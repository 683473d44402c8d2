import { loadConfig, processorConfigSchema, type ProcessorConfig } from '@stableyield/config';

export const configSchema = processorConfigSchema(9206);
export type Config = ProcessorConfig;
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);

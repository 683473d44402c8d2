import { loadConfig, MEASURE_GRID_INTERVAL_MS, processorConfigSchema } from '@stableyield/config';

export const configSchema = processorConfigSchema(9204, MEASURE_GRID_INTERVAL_MS);
export const loadAppConfig = (env?: Record<string, string | undefined>) => loadConfig(configSchema, env);

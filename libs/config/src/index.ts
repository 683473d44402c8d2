export { ConfigError, loadConfig, parseConfig, resolveFileVariables, type Env } from './load';
export * from './fields';
export { z } from 'zod';

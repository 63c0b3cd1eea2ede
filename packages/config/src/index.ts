export { loadConfig, configProblems, type Config } from './load-config.js';
export { ConfigError } from './errors.js';
export { DEFAULT_KEY_READS_PER_MINUTE, envSchema } from './env-schema.js';

export { loadConfig, configProblems, type Config } from './load-config.js';
export { ConfigError } from './errors.js';
export { envSchema } from './env-schema.js';

import { ConfigError, type SharedConfig } from '@denyscope/config';
import { shutdownTelemetry, type Logger } from '@denyscope/telemetry';
import { loadAllConfig, type Config } from '../config.js';
import { ConnectionSetupError, preflight, type Dependency } from '../preflight/index.js';

/** Loads the configuration or ends the process with the list of bad variables (exit code 2). */
export function configOrExit(): Config {
  try {
    return loadAllConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`denyscope: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/**
 * Checks the connections a service needs before it starts (preflight.ts). One that can never work
 * as configured ends the process with the service and the settings to fix (exit code 2).
 */
export async function preflightOrExit(
  config: SharedConfig,
  dependencies: readonly Dependency[],
  log: Logger,
): Promise<void> {
  try {
    await preflight(config, dependencies, log);
  } catch (error) {
    if (!(error instanceof ConnectionSetupError)) throw error;
    log.fatal({ service: error.service, settings: error.settings }, error.message);
    process.stderr.write(`denyscope: ${error.message}\n`);
    await shutdownTelemetry();
    process.exit(2);
  }
}

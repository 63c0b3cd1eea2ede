import { ConfigError, loadConfig, type Config } from '@denyscope/config';

/** Loads the configuration or ends the process with the list of bad variables (exit code 2). */
export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`denyscope: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

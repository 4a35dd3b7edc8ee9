import { ConfigError, loadConfig, VigieConfig } from './vigie-config';
import { readEnvironment } from './environment';

/**
 * Validates the environment before anything starts. On a bad configuration, prints every bad
 * variable and exits non-zero.
 */
export function loadConfigOrExit(): VigieConfig {
  try {
    return loadConfig(readEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

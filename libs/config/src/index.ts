export { VigieConfig, ConfigError, loadConfig, CONFIG_VARIABLES, decodeDataKey } from './vigie-config';
export { resolveDataKey } from './data-key-file';
export { VigieConfigModule } from './config.module';
export { readEnvironment } from './environment';
export { loggerParams } from './logger';
export { closeOnSignals, loadConfigOrExit } from './startup';

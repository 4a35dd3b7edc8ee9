export { VigieConfig, ConfigError, loadConfig, CONFIG_VARIABLES } from './vigie-config';
export { VigieConfigModule } from './config.module';
export { readEnvironment } from './environment';
export { loggerParams } from './logger';
export { closeOnSignals, loadConfigOrExit } from './startup';

export { VigieConfig, ConfigError, loadConfig } from './vigie-config';
export { VigieConfigModule } from './config.module';
export { readEnvironment } from './environment';
export { loggerParams } from './logger';
export { loadConfigOrExit } from './startup';

export { VigieConfig, ConfigError, loadConfig, CONFIG_VARIABLES } from './vigie-config';
export { VigieConfigModule } from './config.module';
export { readEnvironment } from './environment';
export { loggerParams, routePattern, startupLogger, withFrameworkAtDebug } from './logger';
export { closeOnSignals, listeningAddress, loadConfigOrExit } from './startup';
export { Readiness } from './readiness';

export { VigieConfig, ConfigError, loadConfig, CONFIG_VARIABLES, decodeDataKey, oidcConfigured } from './vigie-config';
export { resolveDataKey } from './data-key-file';
export { VigieConfigModule } from './config.module';
export { readEnvironment } from './environment';
export { loggerParams, routePattern, startupLogger, withFrameworkAtDebug } from './logger';
export { closeOnSignals, listeningAddress, loadConfigOrExit } from './startup';
export { Readiness } from './readiness';
export { currentCorrelationId, runWithCorrelationId } from './request-context';

export * from './factories';
export * from './private-redis';
export * from './test-app';
export * from './test-database';
export * from './wait-for';
export * from './private-postgres';
export * from './test-servers';
export * from './webhook-verifiers';

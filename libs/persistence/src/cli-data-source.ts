import { DataSource } from 'typeorm';
import { loadConfig, readEnvironment } from '@vigie/config';
import { dataSourceOptions } from './data-source';

/** For the TypeORM CLI: `npx typeorm -d dist/libs/persistence/src/cli-data-source.js migration:show`. */
export default new DataSource(dataSourceOptions(loadConfig(readEnvironment()).DATABASE_URL));

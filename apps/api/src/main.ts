import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { closeOnSignals, listeningAddress, loadConfigOrExit, startupLogger } from '@vigie/config';
import { VigieCoreModule } from '@vigie/domain';
import { migrateDatabase } from '@vigie/persistence';
import { ApiModule } from './api.module';
import { configureApi } from './configure-api';

@Module({ imports: [VigieCoreModule.forRoot(), ApiModule] })
class ApiProcessModule {}

/** The API alone (`npm run start:api`); run any number of them behind a load balancer. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = startupLogger(config);
  await migrateDatabase(config.DATABASE_URL, (message) => log.info(message));
  const app = await NestFactory.create<NestExpressApplication>(ApiProcessModule, { bufferLogs: true, bodyParser: false });
  await configureApi(app);
  closeOnSignals(app, { graceMs: config.VIGIE_SHUTDOWN_GRACE_MS });
  await app.listen(config.PORT);
  log.info(`Vigie listening on ${listeningAddress(app.getHttpServer())}`);
}

void main().catch((error: Error) => {
  process.stderr.write(`Vigie API failed to start: ${error.message}\n`);
  process.exit(1);
});

import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { closeOnSignals, listeningAddress, loadConfigOrExit, startupLogger, withFrameworkAtDebug } from '@vigie/config';
import { VigieCoreModule } from '@vigie/domain';
import { migrateDatabase } from '@vigie/persistence';
import { WorkerOperationsModule } from './operations/worker-operations.controller';
import { WorkerModule } from './worker.module';

@Module({ imports: [VigieCoreModule.forRoot(), WorkerModule, WorkerOperationsModule] })
class WorkerProcessModule {}

/**
 * The worker alone (`npm run start:worker`): queue processors and sweeps, and on WORKER_PORT
 * only its metrics and probes.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = startupLogger(config);
  await migrateDatabase(config.DATABASE_URL, (message) => log.info(message));
  const app = await NestFactory.create<NestExpressApplication>(WorkerProcessModule, { bufferLogs: true, bodyParser: false });
  app.useLogger(withFrameworkAtDebug(app.get(Logger)));
  app.disable('x-powered-by');
  closeOnSignals(app);
  await app.listen(config.WORKER_PORT);
  log.info(`Worker metrics and probes on ${listeningAddress(app.getHttpServer())}`);
}

void main().catch((error: Error) => {
  process.stderr.write(`Vigie worker failed to start: ${error.message}\n`);
  process.exit(1);
});

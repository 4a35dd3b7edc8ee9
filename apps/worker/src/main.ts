import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { closeOnSignals, loadConfigOrExit, withFrameworkAtDebug } from '@vigie/config';
import { VigieCoreModule } from '@vigie/domain';
import { migrateDatabase } from '@vigie/persistence';
import { WorkerModule } from './worker.module';

@Module({ imports: [VigieCoreModule.forRoot(), WorkerModule] })
class WorkerProcessModule {}

/** The worker alone (`npm run start:worker`): an application context, no HTTP server. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  await migrateDatabase(config.DATABASE_URL);
  const app = await NestFactory.createApplicationContext(WorkerProcessModule, { bufferLogs: true });
  app.useLogger(withFrameworkAtDebug(app.get(Logger)));
  closeOnSignals(app);
}

void main().catch((error: Error) => {
  process.stderr.write(`Vigie worker failed to start: ${error.message}\n`);
  process.exit(1);
});

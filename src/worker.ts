import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from './config/config';
import { WorkerModule } from './worker.module';

/** The worker process: queue consumers and schedulers, no HTTP. Several may run at once. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.databaseUrl) {
    process.stderr.write('passage: the worker needs DATABASE_URL; use `npm start` to run with an embedded database\n');
    process.exit(1);
  }
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, config.databaseUrl), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
}

void main().catch((error: unknown) => {
  process.stderr.write(`passage: the worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

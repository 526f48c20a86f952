import 'reflect-metadata';
import { loadConfigOrExit } from './config/config';
import { exitWithLauncher } from './supervisor';
import { createWorkerContext } from './worker.module';

/** The worker process: outbox relay, deadline scheduler and queue consumers, no HTTP. Several may run at once. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.databaseUrl) {
    process.stderr.write('passage: the worker needs DATABASE_URL; use `npm start` to run with an embedded database\n');
    process.exit(1);
  }
  const app = await createWorkerContext(config, config.databaseUrl);
  app.enableShutdownHooks();
  exitWithLauncher(() => app.close());
}

void main().catch((error: unknown) => {
  process.stderr.write(`passage: the worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

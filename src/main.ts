import 'reflect-metadata';
import { loadConfigOrExit } from './config/config';
import { createHttpApp } from './http';
import { exitWithLauncher } from './supervisor';

/** The API process. Expects DATABASE_URL (the launcher `npm start` provides one) and a reachable Redis. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.databaseUrl) {
    process.stderr.write('passage: the API process needs DATABASE_URL; use `npm start` to run with an embedded database\n');
    process.exit(1);
  }
  const app = await createHttpApp(config, config.databaseUrl);
  await app.listen({ port: config.port, host: '0.0.0.0' });
  exitWithLauncher(() => app.close());
}

void main().catch((error: unknown) => {
  process.stderr.write(`passage: the API failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import { startEmbeddedPostgres } from './embedded-postgres';
import { migrate } from './migrate';

export interface CliDatabase {
  url: string;
  /** Stops the embedded cluster if this command started it; leaves everything else running. */
  stop(): Promise<void>;
}

/**
 * The database a command-line tool works on: DATABASE_URL, else this checkout's embedded
 * PostgreSQL, found running (`npm start`) or started and migrated as `npm start` would.
 */
export async function openCliDatabase(config: { databaseUrl?: string; varDir: string }, log: (line: string) => void): Promise<CliDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => undefined };
  const embedded = await startEmbeddedPostgres(config.varDir, log);
  try {
    await migrate(embedded.url);
  } catch (error) {
    await embedded.stop().catch(() => undefined);
    throw error;
  }
  return embedded;
}

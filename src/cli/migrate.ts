import { loadConfigOrExit } from '../config/config';
import { migrate } from '../database/migrate';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.databaseUrl) throw new Error('set DATABASE_URL (npm start migrates the embedded database itself)');
  const direction = process.argv[2] === 'revert' ? 'revert' : 'up';
  const names = await migrate(config.databaseUrl, direction);
  process.stdout.write(names.length === 0 ? 'no migrations to run\n' : `${direction === 'up' ? 'applied' : 'reverted'}: ${names.join(', ')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`passage: migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

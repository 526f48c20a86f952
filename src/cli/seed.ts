import { loadConfigOrExit } from '../config/config';
import { seedDemoData } from '../seed/demo-data';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.databaseUrl) throw new Error('set DATABASE_URL (npm start seeds the embedded database itself)');
  const result = await seedDemoData(config.databaseUrl, config.seedPassword);
  process.stdout.write(`demo data: ${result.organisations} organisations, ${result.users} users ${result.created ? 'created' : 'already present'}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`passage: seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import { createSealer } from '../common/crypto.module';
import { loadConfigOrExit } from '../config/config';
import { migrate } from '../database/migrate';
import { upgradeToCaseKeys } from '../sealed-columns';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.databaseUrl) throw new Error('set DATABASE_URL (npm start migrates the embedded database itself)');
  const direction = process.argv[2] === 'revert' ? 'revert' : 'up';
  const names = await migrate(config.databaseUrl, direction);
  process.stdout.write(names.length === 0 ? 'no migrations to run\n' : `${direction === 'up' ? 'applied' : 'reverted'}: ${names.join(', ')}\n`);
  if (direction === 'revert') return;
  // SQL cannot re-seal: case values from before per-case keys move under their case key here, where the keys are (ADR 0009).
  const upgraded = await upgradeToCaseKeys(config.databaseUrl, createSealer(config));
  if (upgraded.resealed > 0) process.stdout.write(`re-sealed ${upgraded.resealed} case value(s) under their case key\n`);
  if (upgraded.unreadable.length > 0) {
    process.stderr.write(
      `passage: ${upgraded.unreadable.length} value(s) could not be opened and stay under their old key:\n  ${upgraded.unreadable.join('\n  ')}\n`,
    );
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`passage: migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import { createDataSource } from './data-source';

/** Applies pending migrations; with `revert`, undoes the last one. Returns the names applied or reverted. */
export async function migrate(databaseUrl: string, direction: 'up' | 'revert' = 'up'): Promise<string[]> {
  const dataSource = createDataSource(databaseUrl);
  await dataSource.initialize();
  try {
    if (direction === 'revert') {
      const before = await dataSource.query(`SELECT name FROM schema_migrations ORDER BY id DESC LIMIT 1`).catch(() => []);
      await dataSource.undoLastMigration({ transaction: 'each' });
      return (before as Array<{ name: string }>).map((row) => row.name);
    }
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

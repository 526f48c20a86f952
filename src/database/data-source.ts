import { extname, join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/**
 * The one DataSource definition, shared by the Nest application (with entities added by
 * autoLoadEntities) and by the migration commands. `synchronize` is never on: the schema
 * comes from the reviewed migrations only.
 */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    synchronize: false,
    migrationsRun: false,
    // Compiled (dist/migrations/*.js) when running the build, TypeScript sources under jest.
    migrations: [join(__dirname, '..', '..', 'migrations', `*${extname(__filename)}`)],
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    extra: { max: 20, application_name: 'passage' },
  };
}

export function createDataSource(databaseUrl: string): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl));
}

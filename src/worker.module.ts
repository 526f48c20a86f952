import { type DynamicModule, Module } from '@nestjs/common';
import { coreImports } from './app.module';
import type { AppConfig } from './config/config';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return { module: WorkerModule, imports: [...coreImports(config, databaseUrl)!] };
  }
}

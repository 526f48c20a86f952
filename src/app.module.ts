import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { loggerParams } from './common/logging';
import { ProblemFilter } from './common/problem.filter';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source';
import { HealthModule } from './health/health.module';
import { OutboxModule } from './notifications/outbox.module';
import { RedisModule } from './redis/redis.module';

/** The infrastructure every process shares: config, logging, database, Redis, audit. */
export function coreImports(config: AppConfig, databaseUrl: string): DynamicModule['imports'] {
  return [
    ConfigModule.forRoot(config),
    LoggerModule.forRoot(loggerParams(config)),
    TypeOrmModule.forRoot({ ...dataSourceOptions(databaseUrl), autoLoadEntities: true }),
    RedisModule,
    AuditModule,
    OutboxModule,
  ];
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [...coreImports(config, databaseUrl)!, AuthModule, HealthModule],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}

import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AccessModule } from './access/access.module';
import { AuditApiModule } from './audit/audit-api.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BreakGlassModule } from './break-glass/break-glass.module';
import { CasesModule } from './cases/cases.module';
import { CryptoModule } from './common/crypto.module';
import { loggerParams } from './common/logging';
import { ProblemFilter } from './common/problem.filter';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source';
import { HealthModule } from './health/health.module';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { NotificationsModule } from './notifications/notifications.module';
import { OutboxModule } from './outbox/outbox.module';
import { OrganisationsModule } from './organisations/organisations.module';
import { ParticipationModule } from './participation/participation.module';
import { QueueApiModule, QueueModule } from './queue/queue.module';
import { RedisModule } from './redis/redis.module';
import { ReferralsModule } from './referrals/referrals.module';
import { StatisticsModule } from './statistics/statistics.module';
import { SubjectReportModule } from './subject-report/subject-report.module';
import { DocumentsModule } from './documents/documents.module';
import { NotesModule } from './notes/notes.module';
import { TasksModule } from './tasks/tasks.module';
import { UsersModule } from './users/users.module';

/** The infrastructure every process shares: config, logging, database, Redis, audit. */
export function coreImports(config: AppConfig, databaseUrl: string): DynamicModule['imports'] {
  return [
    ConfigModule.forRoot(config),
    LoggerModule.forRoot(loggerParams(config)),
    TypeOrmModule.forRoot({ ...dataSourceOptions(databaseUrl), autoLoadEntities: true }),
    RedisModule,
    CryptoModule,
    AuditModule,
    OutboxModule,
    DeadlinesModule,
    QueueModule,
    AccessModule,
  ];
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...coreImports(config, databaseUrl)!,
        AuthModule,
        HealthModule,
        OrganisationsModule,
        UsersModule,
        CasesModule,
        ReferralsModule,
        ParticipationModule,
        NotesModule,
        DocumentsModule,
        TasksModule,
        BreakGlassModule,
        AuditApiModule,
        NotificationsModule,
        QueueApiModule,
        StatisticsModule,
        SubjectReportModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}

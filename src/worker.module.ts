import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { quietStartUp } from './common/logging';
import { coreImports } from './app.module';
import { AuditWorkerModule } from './audit/audit-worker.module';
import { AuthWorkerModule } from './auth/login-failure-retention';
import { BreakGlassModule } from './break-glass/break-glass.module';
import type { AppConfig } from './config/config';
import { CasesWorkerModule } from './cases/cases.module';
import { DeadlinesWorkerModule } from './deadlines/deadlines.module';
import { DocumentsModule } from './documents/documents.module';
import { NotesModule } from './notes/notes.module';
import { NotificationsWorkerModule } from './notifications/notifications.module';
import { OutboxWorkerModule } from './outbox/outbox.module';
import { ParticipationModule } from './participation/participation.module';
import { QueueWorkerModule } from './queue/queue.module';
import { ReferralsModule } from './referrals/referrals.module';
import { TasksModule } from './tasks/tasks.module';
import { UsersWorkerModule } from './users/users.module';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ...coreImports(config, databaseUrl)!,
        QueueWorkerModule,
        AuditWorkerModule,
        AuthWorkerModule,
        OutboxWorkerModule,
        DeadlinesWorkerModule,
        UsersWorkerModule,
        // The features that own deadline kinds: their handlers are registered with the deadline handler.
        ReferralsModule,
        ParticipationModule,
        BreakGlassModule,
        TasksModule,
        NotificationsWorkerModule,
        // Retention, and the features whose lifecycle listeners it needs: notes and documents say
        // what of theirs is still under a master key, tasks and referrals erase their free text.
        CasesWorkerModule,
        NotesModule,
        DocumentsModule,
      ],
    };
  }
}

/** The worker's application context, started: relay, scheduler and queue consumers running. */
export async function createWorkerContext(config: AppConfig, databaseUrl: string): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, databaseUrl), { bufferLogs: true });
  app.useLogger(quietStartUp(app.get(Logger)));
  await app.init();
  return app;
}

import { type DynamicModule, type INestApplicationContext, Module, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { quietStartUp } from './common/logging';
import { UserCaseVisibility } from './access/user-case-visibility';
import { coreImports } from './app.module';
import { AuditWorkerModule } from './audit/audit-worker.module';
import { BreakGlassModule } from './break-glass/break-glass.module';
import type { AppConfig } from './config/config';
import { DeadlinesWorkerModule } from './deadlines/deadlines.module';
import { CASE_VISIBILITY } from './notifications/case-visibility';
import { NotificationsWorkerModule } from './notifications/notifications.module';
import { OutboxWorkerModule } from './outbox/outbox.module';
import { ParticipationModule } from './participation/participation.module';
import { QueueWorkerModule } from './queue/queue.module';
import { ReferralsModule } from './referrals/referrals.module';
import { TasksModule } from './tasks/tasks.module';

export interface WorkerOptions {
  /** Binds CASE_VISIBILITY; by default the API's own rules (AccessModule's UserCaseVisibility). */
  caseVisibility?: Provider;
}

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, databaseUrl: string, options: WorkerOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ...coreImports(config, databaseUrl)!,
        QueueWorkerModule,
        AuditWorkerModule,
        OutboxWorkerModule,
        DeadlinesWorkerModule,
        // The features that own deadline kinds: their handlers are registered with the deadline handler.
        ReferralsModule,
        ParticipationModule,
        BreakGlassModule,
        TasksModule,
        NotificationsWorkerModule.forRoot(options.caseVisibility ?? { provide: CASE_VISIBILITY, useExisting: UserCaseVisibility }),
      ],
    };
  }
}

/** The worker's application context, started: relay, scheduler and queue consumers running. */
export async function createWorkerContext(config: AppConfig, databaseUrl: string, options: WorkerOptions = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, databaseUrl, options), { bufferLogs: true });
  app.useLogger(quietStartUp(app.get(Logger)));
  await app.init();
  return app;
}

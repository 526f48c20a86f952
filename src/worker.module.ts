import { type DynamicModule, type INestApplicationContext, Module, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { coreImports } from './app.module';
import type { AppConfig } from './config/config';
import { CASE_VISIBILITY, LeadOrganisationVisibility } from './notifications/case-visibility';
import { NotificationsWorkerModule } from './notifications/notifications.module';
import { QueueWorkerModule } from './queue/queue.module';

export interface WorkerOptions {
  /** Binds CASE_VISIBILITY; defaults to the lead-organisation rule until the access module provides one. */
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
        NotificationsWorkerModule.forRoot(options.caseVisibility ?? { provide: CASE_VISIBILITY, useClass: LeadOrganisationVisibility }),
      ],
    };
  }
}

/** The worker's application context, started: relay, scheduler and queue consumers running. */
export async function createWorkerContext(config: AppConfig, databaseUrl: string, options: WorkerOptions = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, databaseUrl, options), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  await app.init();
  return app;
}

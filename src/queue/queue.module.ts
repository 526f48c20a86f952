import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { QueueStatusController } from './queue-status.controller';
import { QueueStatusService } from './queue-status.service';
import { QueueService } from './queue.service';
import { QueueWorkers } from './queue-workers';

/** Producers: any process may add jobs, and read the queues' health. */
@Global()
@Module({ providers: [QueueService, QueueStatusService], exports: [QueueService, QueueStatusService] })
export class QueueModule {}

/** The platform admins' status page, in the API process. */
@Module({ controllers: [QueueStatusController] })
export class QueueApiModule {}

/** Consumers: imported by the worker process only. */
@Module({ imports: [DiscoveryModule], providers: [QueueWorkers] })
export class QueueWorkerModule {}

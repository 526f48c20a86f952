import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { QueueService } from './queue.service';
import { QueueWorkers } from './queue-workers';

/** Producers: any process may add jobs. */
@Global()
@Module({ providers: [QueueService], exports: [QueueService] })
export class QueueModule {}

/** Consumers: imported by the worker process only. */
@Module({ imports: [DiscoveryModule], providers: [QueueWorkers] })
export class QueueWorkerModule {}

import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { OutboxWorkerModule } from '../outbox/outbox.module';
import { DeadlineHandler } from './deadline.handler';
import { DeadlineScheduler } from './deadline-scheduler';
import { DeadlinesService } from './deadlines.service';

/** Global, like the outbox: the features that start a clock schedule and cancel deadlines in their own transactions. */
@Global()
@Module({ providers: [DeadlinesService], exports: [DeadlinesService] })
export class DeadlinesModule {}

/**
 * The worker side: the scheduler that gives each pending deadline a delayed job, and the job
 * handler that claims a deadline and passes it to the handler its feature registered for the kind.
 */
@Module({ imports: [DiscoveryModule, OutboxWorkerModule], providers: [DeadlineScheduler, DeadlineHandler] })
export class DeadlinesWorkerModule {}

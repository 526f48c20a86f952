import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { createRedis, DEFAULT_REDIS_URL } from '../redis/redis';
import { backoffDelay, QUEUE_CONCURRENCY } from './job-definitions';
import { buildHandlerRegistry, type DiscoveredHandler, JOB_HANDLER, type JobHandler } from './job-handler';
import { type JobName, QUEUE_NAMES } from './job-name';

/**
 * The consumer side, only in the worker process: one BullMQ Worker per queue, dispatching each
 * job to the provider declared for it with @HandlesJob. Start-up fails when a job has no handler
 * or several, so a missing processor is found at deploy time, not when a job sits unprocessed.
 */
@Injectable()
export class QueueWorkers implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(QueueWorkers.name);
  private registry = new Map<JobName, JobHandler<JobName>>();
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];
  private lastErrorLog = 0;

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const found: DiscoveredHandler[] = this.discovery.getProviders({ metadataKey: JOB_HANDLER.KEY }).flatMap((wrapper) => {
      const job = this.discovery.getMetadataByDecorator(JOB_HANDLER, wrapper);
      if (!job || !wrapper.instance) return [];
      return [{ job, handler: wrapper.instance as JobHandler<JobName>, className: wrapper.metatype?.name ?? String(wrapper.token) }];
    });
    this.registry = buildHandlerRegistry(found);
  }

  onApplicationBootstrap(): void {
    for (const queue of QUEUE_NAMES) {
      const connection = createRedis(this.config.redisUrl ?? DEFAULT_REDIS_URL);
      connection.on('error', () => undefined); // the Worker reports it below
      this.connections.push(connection);
      const worker = new Worker(queue, (job: Job, token?: string) => this.process(job, token), {
        connection,
        prefix: this.config.redisPrefix,
        concurrency: QUEUE_CONCURRENCY[queue],
        lockDuration: this.config.queueLockDurationMs,
        stalledInterval: this.config.queueLockDurationMs,
        // A crashed worker's jobs come back; a job that keeps crashing its worker does not loop forever.
        maxStalledCount: 5,
        // After losing Redis a worker waits this long before fetching again (BullMQ's default, 15 s, would be most of an outage's tail).
        runRetryDelay: 2000,
        settings: { backoffStrategy: (attemptsMade, type) => backoffDelay(type, attemptsMade, this.config.webhookBackoffScale) },
      });
      worker.on('error', (error) => this.logConnectionError(queue, error));
      worker.on('failed', (job, error) => {
        if (!job) return;
        const final = job.attemptsMade >= (job.opts.attempts ?? 1);
        this.logger[final ? 'error' : 'warn'](
          { queue, job: job.name, jobId: job.id, attemptsMade: job.attemptsMade, err: { message: error.message } },
          final ? 'job failed for good' : 'job failed; will retry',
        );
      });
      this.workers.push(worker);
    }
  }

  /** Stops taking jobs and waits for the running ones (a SIGTERM'd worker finishes what it holds). */
  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    this.workers.length = 0;
    // BullMQ leaves a connection it was given open; it duplicated its blocking one itself and closed that.
    for (const connection of this.connections.splice(0)) connection.disconnect();
  }

  private async process(job: Job, token?: string): Promise<void> {
    const handler = this.registry.get(job.name as JobName);
    if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}"`);
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await handler.handle(job.data as never, { job, token, finalAttempt });
  }

  private logConnectionError(queue: string, error: Error): void {
    if (Date.now() - this.lastErrorLog < 30_000) return;
    this.lastErrorLog = Date.now();
    this.logger.warn({ queue, err: { message: error.message } }, 'queue worker cannot reach Redis');
  }
}

import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type JobsOptions, Queue } from 'bullmq';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DEFAULT_REDIS_URL } from '../redis/redis';
import { JOB_DEFINITIONS } from './job-definitions';
import type { JobName, JobPayloads, QueueName } from './job-name';

/** One job to add: the name fixes the payload type. */
export type QueuedJob = { [N in JobName]: { name: N; payload: JobPayloads[N]; delayMs?: number } }[JobName];

export type JobCounts = Record<'waiting' | 'prioritized' | 'active' | 'delayed' | 'completed' | 'failed', number>;

/** Thrown when Redis does not take a job in time: the caller keeps its rows and tries again later. */
export class QueueUnavailableError extends Error {}

const PRODUCER_TIMEOUT_MS = 5_000;

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueueUnavailableError(`${what}: Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The typed producer side of BullMQ, usable in any process. Queues connect lazily, with their
 * own connection that fails fast (no offline queue): producers are the relay and schedulers,
 * which leave their rows in PostgreSQL and retry, never requests that wait on Redis.
 */
@Injectable()
export class QueueService implements OnApplicationShutdown {
  private readonly logger = new Logger(QueueService.name);
  private readonly queues = new Map<QueueName, Queue>();
  private closed = false;
  private lastErrorLog = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async add<N extends JobName>(name: N, payload: JobPayloads[N], options: { delayMs?: number } = {}): Promise<void> {
    await this.addBulk([{ name, payload, delayMs: options.delayMs } as QueuedJob]);
  }

  /** Adds jobs (any mix of names) with their deterministic ids; ids already present are left alone. */
  async addBulk(jobs: readonly QueuedJob[]): Promise<void> {
    const byQueue = new Map<QueueName, Array<{ name: string; data: unknown; opts: JobsOptions }>>();
    for (const job of jobs) {
      const definition = JOB_DEFINITIONS[job.name];
      const jobId = (definition.jobId as (payload: QueuedJob['payload']) => string)(job.payload);
      const entry = {
        name: job.name,
        data: job.payload,
        opts: { ...definition.options, jobId, ...(job.delayMs ? { delay: Math.max(0, Math.round(job.delayMs)) } : {}) },
      };
      byQueue.set(definition.queue, [...(byQueue.get(definition.queue) ?? []), entry]);
    }
    await within(Promise.all([...byQueue].map(([queue, entries]) => this.queue(queue).addBulk(entries))), PRODUCER_TIMEOUT_MS, 'adding jobs');
  }

  async counts(queue: QueueName): Promise<JobCounts> {
    const counts = await within(
      this.queue(queue).getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'),
      PRODUCER_TIMEOUT_MS,
      'counting jobs',
    );
    return {
      waiting: counts.waiting ?? 0,
      prioritized: counts.prioritized ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      completed: counts.completed ?? 0,
      failed: counts.failed ?? 0,
    };
  }

  /**
   * For a job PostgreSQL says is still owed: retries it if it failed for good, and answers
   * 'missing' when Redis no longer has it (lost with Redis' data, or removed), so the caller adds it again.
   */
  async revive(queue: QueueName, jobId: string): Promise<'missing' | 'retried' | 'present'> {
    return within(
      (async () => {
        const job = await this.queue(queue).getJob(jobId);
        if (!job) return 'missing' as const;
        const state = await job.getState();
        if (state === 'failed') {
          await job.retry('failed');
          return 'retried' as const;
        }
        if (state === 'completed' || state === 'unknown') {
          await job.remove();
          return 'missing' as const;
        }
        return 'present' as const;
      })(),
      PRODUCER_TIMEOUT_MS,
      'reviving a job',
    );
  }

  queue(name: QueueName): Queue {
    if (this.closed) throw new QueueUnavailableError('the queue service is shut down');
    let queue = this.queues.get(name);
    if (!queue) {
      // Options rather than a shared client: BullMQ then owns the connection and can close it even mid-connect.
      queue = new Queue(name, {
        connection: {
          url: this.config.redisUrl ?? DEFAULT_REDIS_URL,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          // Once closed, stop: a queue closed before it ever connected would otherwise keep reconnecting.
          retryStrategy: (attempt: number) => (this.closed ? null : Math.min(attempt * 200, 2000)),
        },
        prefix: this.config.redisPrefix,
      });
      queue.on('error', (error) => this.logConnectionError(error));
      this.queues.set(name, queue);
    }
    return queue;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.queues.values()].map((queue) => queue.close().catch(() => undefined)));
    this.queues.clear();
  }

  private logConnectionError(error: Error): void {
    // An outage produces an error per reconnect attempt; one line every half minute is enough.
    if (Date.now() - this.lastErrorLog < 30_000) return;
    this.lastErrorLog = Date.now();
    this.logger.warn({ err: { message: error.message } }, 'queue producer cannot reach Redis');
  }
}

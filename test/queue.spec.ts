import { Injectable, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AppConfig } from '../src/config/config';
import { ConfigModule } from '../src/config/config.module';
import { DomainEventType } from '../src/outbox/domain-event';
import { BackoffKind, backoffDelay, JOB_DEFINITIONS, WEBHOOK_RETRY_DELAYS_MS } from '../src/queue/job-definitions';
import { buildHandlerRegistry, HandlesJob, type JobHandler } from '../src/queue/job-handler';
import { JOB_NAMES, JobName, type JobPayloads, QUEUE_NAMES } from '../src/queue/job-name';
import { QueueWorkerModule } from '../src/queue/queue.module';
import { type QueuedJob, QueueService } from '../src/queue/queue.service';
import { removeRedisKeys } from './notifications.support';
import { testConfig } from './support/app';

@Injectable()
@HandlesJob(JobName.FanOutEvent)
class FanOut implements JobHandler<JobName.FanOutEvent> {
  async handle(): Promise<void> {}
}
@Injectable()
@HandlesJob(JobName.SendEmail)
class Email implements JobHandler<JobName.SendEmail> {
  async handle(): Promise<void> {}
}
@Injectable()
@HandlesJob(JobName.SendInvitation)
class Invitation implements JobHandler<JobName.SendInvitation> {
  async handle(): Promise<void> {}
}
@Injectable()
@HandlesJob(JobName.DeliverWebhook)
class Webhook implements JobHandler<JobName.DeliverWebhook> {
  async handle(): Promise<void> {}
}
@Injectable()
@HandlesJob(JobName.FireDeadline)
class Deadline implements JobHandler<JobName.FireDeadline> {
  async handle(): Promise<void> {}
}
@Injectable()
@HandlesJob(JobName.FireDeadline)
class OtherDeadline implements JobHandler<JobName.FireDeadline> {
  async handle(): Promise<void> {}
}

const SAMPLE_PAYLOADS: JobPayloads = {
  [JobName.FanOutEvent]: {
    outboxId: '42',
    eventId: '6f1c2b56-3c1e-4c38-9d55-0f7e5f3e2a10',
    type: DomainEventType.CaseClosed,
    caseId: '0b7d3a8e-58f4-4d1b-9a63-4e1f0f3c9b21',
    organisationIds: [],
    occurredAt: '2026-01-01T00:00:00.000Z',
  },
  [JobName.SendEmail]: { notificationId: '0b7d3a8e-58f4-4d1b-9a63-4e1f0f3c9b21' },
  [JobName.SendInvitation]: { invitationId: '0b7d3a8e-58f4-4d1b-9a63-4e1f0f3c9b21' },
  [JobName.DeliverWebhook]: { deliveryId: '0b7d3a8e-58f4-4d1b-9a63-4e1f0f3c9b21' },
  [JobName.FireDeadline]: { deadlineId: '0b7d3a8e-58f4-4d1b-9a63-4e1f0f3c9b21' },
};

describe('queue layer', () => {
  let config: AppConfig;
  beforeAll(async () => {
    const base = await testConfig();
    config = await testConfig({ REDIS_PREFIX: `${base.redisPrefix}:queue` });
  });
  afterAll(() => removeRedisKeys(config));

  async function startWorkers(handlers: Type[]): Promise<() => Promise<void>> {
    @Module({ imports: [ConfigModule.forRoot(config), QueueWorkerModule], providers: handlers })
    class Workers {}
    const app = await NestFactory.createApplicationContext(Workers, { logger: false, abortOnError: false });
    return () => app.close();
  }

  describe('handler registry', () => {
    it('maps every job to its one handler', () => {
      const registry = buildHandlerRegistry(JOB_NAMES.map((job) => ({ job, handler: { handle: async () => undefined }, className: job })));
      expect([...registry.keys()].sort()).toEqual([...JOB_NAMES].sort());
    });

    it('names every job without a handler and every job with two', () => {
      const found = [
        { job: JobName.FanOutEvent, handler: new FanOut(), className: 'FanOut' },
        { job: JobName.FireDeadline, handler: new Deadline(), className: 'Deadline' },
        { job: JobName.FireDeadline, handler: new OtherDeadline(), className: 'OtherDeadline' },
      ];
      expect(() => buildHandlerRegistry(found)).toThrow(
        'job handlers: no handler for job "notification.email"; no handler for job "invitation.email"; no handler for job "webhook.deliver"; 2 handlers for job "deadline.fire" (Deadline, OtherDeadline)',
      );
    });

    it('refuses to start a worker with a job that has no handler', async () => {
      await expect(startWorkers([FanOut, Email, Invitation, Deadline])).rejects.toThrow('no handler for job "webhook.deliver"');
    });

    it('refuses to start a worker with a job that has two handlers', async () => {
      await expect(startWorkers([FanOut, Email, Invitation, Webhook, Deadline, OtherDeadline])).rejects.toThrow('2 handlers for job "deadline.fire"');
    });

    it('starts with exactly one handler per job', async () => {
      const stop = await startWorkers([FanOut, Email, Invitation, Webhook, Deadline]);
      await expect(stop()).resolves.toBeUndefined();
    });
  });

  describe('job options', () => {
    it('retries webhooks after about 5 s, 30 s, 2 min, 10 min, 1 h and 6 h, with jitter, then gives up', () => {
      expect(JOB_DEFINITIONS[JobName.DeliverWebhook].options.attempts).toBe(WEBHOOK_RETRY_DELAYS_MS.length + 1);
      const expected = [5_000, 30_000, 120_000, 600_000, 3_600_000, 21_600_000];
      expected.forEach((base, index) => {
        expect(backoffDelay(BackoffKind.Webhook, index + 1, 1, () => 0)).toBe(base * 0.8);
        expect(backoffDelay(BackoffKind.Webhook, index + 1, 1, () => 1)).toBe(base * 1.2);
        expect(backoffDelay(BackoffKind.Webhook, index + 1, 0.001, () => 0.5)).toBe(Math.round(base * 0.001));
      });
    });

    it('doubles other retries up to five minutes', () => {
      const delays = [1, 2, 3, 9, 10, 50].map((attempt) => backoffDelay(BackoffKind.CappedExponential, attempt, 1, () => 0.5));
      expect(delays).toEqual([1_000, 2_000, 4_000, 256_000, 300_000, 300_000]);
      expect(() => backoffDelay('linear', 1, 1)).toThrow('unknown backoff kind');
    });

    it('keeps finished jobs for a bounded time and count', () => {
      for (const job of JOB_NAMES) {
        const { removeOnComplete, removeOnFail } = JOB_DEFINITIONS[job].options;
        expect(removeOnComplete).toEqual(expect.objectContaining({ age: expect.any(Number) }));
        expect(removeOnFail === true || (typeof removeOnFail === 'object' && 'age' in removeOnFail)).toBe(true);
      }
    });
  });

  describe('producer', () => {
    let queues: QueueService;
    beforeAll(() => {
      queues = new QueueService(config);
    });
    afterAll(() => queues.onApplicationShutdown());

    it('adds each job under its deterministic id once, however often it is added', async () => {
      const jobs = JOB_NAMES.map((name) => ({ name, payload: SAMPLE_PAYLOADS[name], delayMs: 3_600_000 }) as QueuedJob);
      await queues.addBulk(jobs);
      await queues.addBulk(jobs);
      await queues.add(JobName.FireDeadline, SAMPLE_PAYLOADS[JobName.FireDeadline], { delayMs: 3_600_000 });
      for (const name of JOB_NAMES) {
        const definition = JOB_DEFINITIONS[name];
        const jobId = (definition.jobId as (payload: JobPayloads[JobName]) => string)(SAMPLE_PAYLOADS[name]);
        const job = await queues.queue(definition.queue).getJob(jobId);
        expect(job?.name).toBe(name);
        await job!.remove();
      }
      const counts = await Promise.all(QUEUE_NAMES.map((queue) => queues.counts(queue)));
      expect(counts.map((c) => c.delayed)).toEqual(QUEUE_NAMES.map(() => 0));
    });

    it('gives up quickly when Redis does not answer, so the caller keeps its rows', async () => {
      const unreachable = new QueueService({ ...config, redisUrl: 'redis://127.0.0.1:1' });
      const started = Date.now();
      await expect(unreachable.add(JobName.SendEmail, SAMPLE_PAYLOADS[JobName.SendEmail])).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(6_000);
      await unreachable.onApplicationShutdown();
    });
  });
});

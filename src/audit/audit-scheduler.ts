import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AuditCheckpointService } from './audit-checkpoint.service';
import { AuditRetentionService } from './audit-retention.service';

/**
 * A rewrite of the newest events, hashes recomputed, goes unseen until the next checkpoint
 * covers them: the interval bounds that window. Retention needs no such haste.
 */
export const CHECKPOINT_INTERVAL_MS = 5 * 60_000;
export const RETENTION_INTERVAL_MS = 60 * 60_000;

/** Worker-side housekeeping of the audit trail: periodic signed checkpoints and retention. */
@Injectable()
export class AuditScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lastRetentionAt = 0;

  constructor(
    private readonly checkpoints: AuditCheckpointService,
    private readonly retention: AuditRetentionService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), CHECKPOINT_INTERVAL_MS);
    this.timer.unref();
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round; a round still running when the next is due is not doubled. */
  tick(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(): Promise<void> {
    try {
      await this.checkpoints.checkpoint('periodic');
    } catch (error) {
      this.logger.error({ err: { message: (error as Error).message } }, 'audit checkpoint failed');
    }
    if (Date.now() - this.lastRetentionAt < RETENTION_INTERVAL_MS) return;
    this.lastRetentionAt = Date.now();
    try {
      await this.retention.apply();
    } catch (error) {
      this.logger.error({ err: { message: (error as Error).message } }, 'audit retention failed');
    }
  }
}

import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AuditRetentionService } from './audit-retention.service';

export const RETENTION_INTERVAL_MS = 60 * 60_000;

/** Worker-side retention of the audit log, hourly (sequencing and checkpoints are AuditSequencer's). */
@Injectable()
export class AuditScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly retention: AuditRetentionService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), RETENTION_INTERVAL_MS);
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
      await this.retention.apply();
    } catch (error) {
      this.logger.error({ err: { message: (error as Error).message } }, 'audit retention failed');
    }
  }
}

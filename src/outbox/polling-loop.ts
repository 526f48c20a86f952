import type { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { PgListener } from './pg-listener';
import { Sleeper } from './sleeper';

const MAX_BACKOFF_MS = 5_000;
const ERROR_LOG_EVERY_MS = 30_000;

/**
 * The worker's polling loops (outbox relay, deadline scheduler): woken at once by a NOTIFY on
 * `channel`, else every `intervalMs`; on failure they back off (doubling, at most 5 s) and log at
 * most every 30 s, so an outage of Redis or the database is neither busy-looped nor log-flooded.
 */
export abstract class PollingLoop implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly sleeper = new Sleeper();
  private running = false;
  private loop?: Promise<void>;
  private lastErrorLog = 0;

  protected constructor(
    private readonly listener: PgListener,
    private readonly channel: string,
    private readonly intervalMs: number,
    private readonly failureMessage: string,
  ) {}

  protected abstract readonly logger: Logger;

  /** One round of work; true when more is waiting, so the next round starts without sleeping. */
  protected abstract round(): Promise<boolean>;

  onApplicationBootstrap(): void {
    this.listener.listen(this.channel, () => this.sleeper.poke());
    this.running = true;
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.sleeper.poke();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let waitMs = this.intervalMs;
      try {
        const more = await this.round();
        failures = 0;
        if (more) continue;
      } catch (error) {
        failures += 1;
        waitMs = Math.min(this.intervalMs * 2 ** failures, MAX_BACKOFF_MS);
        if (Date.now() - this.lastErrorLog >= ERROR_LOG_EVERY_MS) {
          this.lastErrorLog = Date.now();
          this.logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, this.failureMessage);
        }
      }
      await this.sleeper.sleep(waitMs);
    }
  }
}

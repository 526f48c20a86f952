import { Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { modify } from '../common/sql';
import { LOCKOUT_WINDOW_SECONDS } from './auth.service';

export const LOGIN_FAILURE_PRUNE_INTERVAL_MS = 5 * 60_000;

/**
 * login_failure only counts attempts inside the lockout window; older rows decide nothing (the
 * audit trail keeps every failed sign-in), so the worker deletes them every few minutes and the
 * table stays as small as the window, however many addresses are tried.
 */
@Injectable()
export class LoginFailureRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LoginFailureRetention.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), LOGIN_FAILURE_PRUNE_INTERVAL_MS);
    this.timer.unref();
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Deletes the rows older than the lockout window; answers how many. */
  async prune(): Promise<number> {
    const { count } = await modify(this.dataSource.manager, `DELETE FROM login_failure WHERE at <= now() - make_interval(secs => $1)`, [
      LOCKOUT_WINDOW_SECONDS,
    ]);
    return count;
  }

  private tick(): Promise<unknown> {
    this.running ??= this.prune()
      .catch((error: unknown) => this.logger.warn({ err: { message: (error as Error).message } }, 'pruning old login failures failed; retried later'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}

/** The worker's part of auth: retention of the lockout counters. */
@Module({ providers: [LoginFailureRetention], exports: [LoginFailureRetention] })
export class AuthWorkerModule {}

import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Problem } from '../common/problem';
import { REDIS } from '../redis/redis.module';

const WINDOW_MS = 3_600_000;

/**
 * Identity matching answers "does anyone hold a case for this person?", so trying many names
 * would enumerate identities: each user gets a fixed number of queries per hour. Unlike the
 * global request limit this one fails closed: without Redis there is no count, and no query.
 */
@Injectable()
export class IdentityMatchRateLimit {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Counts one query of this user; a Problem (429 with Retry-After, or 503) when it may not run. */
  async take(userId: string): Promise<Problem | undefined> {
    const key = `${this.config.redisPrefix}:identity-match:${userId}`;
    let count: number;
    let ttl: number;
    try {
      const results = await this.redis.multi().set(key, 0, 'PX', WINDOW_MS, 'NX').incr(key).pttl(key).exec();
      if (!results || results.some(([error]) => error)) throw new Error('identity match counter failed');
      count = Number(results[1]![1]);
      ttl = Number(results[2]![1]);
    } catch {
      return Problem.unavailable('Identity matching is unavailable for a moment; nothing was searched. Try again shortly.');
    }
    if (count > this.config.identityMatchesPerHour) {
      return Problem.tooManyRequests(`At most ${this.config.identityMatchesPerHour} identity matches per hour`, Math.max(ttl, 1000) / 1000);
    }
    return undefined;
  }
}

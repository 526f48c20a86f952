import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { Public } from '../access/route.decorators';
import { type QueueHealth, QueueStatusService } from '../queue/queue-status.service';
import { REDIS } from '../redis/redis.module';

type Status = 'up' | 'down';

class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status!: 'ok' | 'degraded';
  @ApiProperty({ enum: ['up', 'down'] }) db!: Status;
  @ApiProperty({ enum: ['up', 'down'] }) redis!: Status;
}

class QueueHealthDto {
  @ApiProperty({ enum: ['up', 'lagging', 'down'], description: 'lagging: outbox events wait longer than a minute (no worker, or Redis down)' })
  status!: QueueHealth['status'];
  @ApiProperty() outboxPending!: number;
  @ApiProperty() oldestPendingSeconds!: number;
}

class HealthWithQueuesDto extends HealthDto {
  @ApiProperty({ type: QueueHealthDto, description: 'Informational: a lagging queue does not make the API unhealthy' })
  queues!: QueueHealthDto;
}

const PROBE_TIMEOUT_MS = 1500;
const PROBE_CACHE_MS = 1000;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly queueStatus: QueueStatusService,
  ) {}

  /**
   * The last probe, shared by every caller for PROBE_CACHE_MS: a load balancer or an
   * anonymous client polling /api/health costs at most one round of probes a second.
   */
  private cached: { at: number; result: Promise<HealthWithQueuesDto> } | undefined;

  @Public()
  @Get()
  @ApiOkResponse({ type: HealthWithQueuesDto })
  @ApiServiceUnavailableResponse({ type: HealthWithQueuesDto, description: 'A dependency is down; the body names it' })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthWithQueuesDto> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= PROBE_CACHE_MS) this.cached = { at: now, result: this.probe() };
    const result = await this.cached.result;
    void reply.status(result.status === 'ok' ? 200 : 503);
    return result;
  }

  private async probe(): Promise<HealthWithQueuesDto> {
    const [db, redis, queues] = await Promise.all([
      within(this.dataSource.query('SELECT 1'), PROBE_TIMEOUT_MS).then(
        (): Status => 'up',
        (): Status => 'down',
      ),
      within(this.redis.ping(), PROBE_TIMEOUT_MS).then(
        (pong): Status => (pong === 'PONG' ? 'up' : 'down'),
        (): Status => 'down',
      ),
      this.queueStatus.health(),
    ]);
    return { status: db === 'up' && redis === 'up' ? 'ok' : 'degraded', db, redis, queues };
  }
}

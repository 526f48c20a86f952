import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { REDIS } from '../redis/redis.module';

type Status = 'up' | 'down';

class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status!: 'ok' | 'degraded';
  @ApiProperty({ enum: ['up', 'down'] }) db!: Status;
  @ApiProperty({ enum: ['up', 'down'] }) redis!: Status;
}

const PROBE_TIMEOUT_MS = 1500;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Public()
  @Get()
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'A dependency is down; the body names it' })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const [db, redis] = await Promise.all([
      within(this.dataSource.query('SELECT 1'), PROBE_TIMEOUT_MS).then(
        (): Status => 'up',
        (): Status => 'down',
      ),
      within(this.redis.ping(), PROBE_TIMEOUT_MS).then(
        (pong): Status => (pong === 'PONG' ? 'up' : 'down'),
        (): Status => 'down',
      ),
    ]);
    const healthy = db === 'up' && redis === 'up';
    void reply.status(healthy ? 200 : 503);
    return { status: healthy ? 'ok' : 'degraded', db, redis };
  }
}

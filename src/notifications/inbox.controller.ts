import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '../access/route.decorators';
import type { Principal } from '../access/principal';
import { ApiProblems } from '../common/openapi';
import { NotificationListDto, NotificationQueryDto } from './dto/notification.dto';
import { InboxService } from './inbox.service';
import { IdPipe } from '../common/ids';
import { InboxStreams } from './inbox-stream';

/**
 * When the bearer token of this request expires (ms). The guard has verified the token already;
 * this only reads its `exp`, so the stream can end when the token would stop working.
 */
function accessTokenExpiry(authorization: string | undefined): number {
  const payload = authorization?.split(' ')[1]?.split('.')[1] ?? '';
  try {
    const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    if (typeof exp === 'number') return exp * 1000;
  } catch {
    // Unreachable after the guard; end the stream at once rather than trust it.
  }
  return Date.now();
}

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class InboxController {
  constructor(
    private readonly inbox: InboxService,
    private readonly streams: InboxStreams,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your notifications, newest first' })
  @ApiOkResponse({ type: NotificationListDto })
  list(@CurrentPrincipal() principal: Principal, @Query() query: NotificationQueryDto): Promise<NotificationListDto> {
    return this.inbox.list(principal.userId, query);
  }

  /**
   * Authenticated like every call, with the bearer header: the web app reads it with fetch (an
   * EventSource cannot send the header), so no token ever travels in a URL and a cookie-borne,
   * cross-site request cannot open it.
   */
  @Get('stream')
  @ApiOperation({
    summary: 'Your unread count, live (Server-Sent Events)',
    description:
      'Sends `event: unread` with `data: {"unread": <count>}` at once and whenever your inbox changes, a `: keep-alive` comment every 15 s, ' +
      'and `event: end` with `data: {"reason": "expired"|"signed-out"|"replaced"|"shutdown"}` before it closes: when the access token expires, ' +
      'when the session ends or the account is deactivated (within seconds), or when the server stops. Reconnect with a valid token. ' +
      'Counts only: no titles, references or names.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiProblems(401)
  stream(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const body = this.streams.open(principal, accessTokenExpiry(request.headers.authorization));
    request.raw.on('close', () => body.destroy());
    // The connection closes with the stream: nothing is gained by keeping it alive, and shutting down need not wait for it.
    void reply.header('content-type', 'text/event-stream; charset=utf-8').header('x-accel-buffering', 'no').header('connection', 'close').send(body);
  }

  @Post(':id/read')
  @HttpCode(204)
  @ApiOperation({ summary: 'Mark one of your notifications read' })
  @ApiNoContentResponse()
  async markRead(@CurrentPrincipal() principal: Principal, @Param('id', new IdPipe('No such notification')) id: string): Promise<void> {
    await this.inbox.markRead(principal.userId, id);
  }
}

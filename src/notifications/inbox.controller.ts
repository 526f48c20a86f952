import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../access/route.decorators';
import type { Principal } from '../access/principal';
import { NotificationListDto, NotificationQueryDto } from './dto/notification.dto';
import { InboxService } from './inbox.service';
import { IdPipe } from '../common/ids';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  @Get()
  @ApiOperation({ summary: 'Your notifications, newest first' })
  @ApiOkResponse({ type: NotificationListDto })
  list(@CurrentPrincipal() principal: Principal, @Query() query: NotificationQueryDto): Promise<NotificationListDto> {
    return this.inbox.list(principal.userId, query);
  }

  @Post(':id/read')
  @HttpCode(204)
  @ApiOperation({ summary: 'Mark one of your notifications read' })
  @ApiNoContentResponse()
  async markRead(@CurrentPrincipal() principal: Principal, @Param('id', new IdPipe('No such notification')) id: string): Promise<void> {
    await this.inbox.markRead(principal.userId, id);
  }
}

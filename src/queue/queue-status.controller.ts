import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../access/route.decorators';
import { Role } from '../access/role';
import { QueueStatusDto } from './dto/queue-status.dto';
import { QueueStatusService } from './queue-status.service';

@ApiTags('operations')
@ApiBearerAuth()
@Roles(Role.PlatformAdmin)
@Controller('admin/queues')
export class QueueStatusController {
  constructor(private readonly status: QueueStatusService) {}

  @Get()
  @ApiOperation({ summary: 'Job counts per queue, outbox backlog, pending deadlines, dead-lettered webhook deliveries (platform_admin)' })
  @ApiOkResponse({ description: 'Counts only; no ids of cases or people', type: QueueStatusDto })
  get(): Promise<QueueStatusDto> {
    return this.status.status();
  }
}

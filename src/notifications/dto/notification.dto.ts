import { PageQueryDto } from '../../common/page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { IsIn, IsOptional } from 'class-validator';
import { DomainEventType } from '../../outbox/domain-event';
import { UserRefDto } from '../../common/readable';

export class NotificationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: unread notifications only' })
  @IsOptional()
  @IsIn(['true', 'false'])
  unread?: 'true' | 'false';
}

export class NotificationDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: DomainEventType, enumName: 'DomainEventType' }) type!: DomainEventType;
  @ApiProperty() caseId!: string;
  @ApiProperty({ example: 'BE-2026-000042' }) caseReference!: string;
  @ApiPropertyOptional() referralId?: string;
  @ApiPropertyOptional({ type: UserRefDto, description: 'Who caused it, when a person did (absent for deadlines and reminders)' }) actor?: UserRefDto;
  @ApiProperty({ example: 'Reception Centre Antwerp accepted the referral of BE-2026-000042' }) title!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) readAt!: string | null;
}

export class NotificationListDto {
  @ApiProperty({ type: [NotificationDto] }) items!: NotificationDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

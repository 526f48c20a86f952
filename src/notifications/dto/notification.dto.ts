import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DomainEventType } from '../domain-event';

export class NotificationQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: unread notifications only' })
  @IsOptional()
  @IsIn(['true', 'false'])
  unread?: 'true' | 'false';

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 25 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class NotificationDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: DomainEventType, enumName: 'DomainEventType' }) type!: DomainEventType;
  @ApiProperty() caseId!: string;
  @ApiProperty({ example: 'BE-2026-000042' }) caseReference!: string;
  @ApiPropertyOptional() referralId?: string;
  @ApiProperty({ example: 'Referral received for case BE-2026-000042' }) title!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) readAt!: string | null;
}

export class NotificationListDto {
  @ApiProperty({ type: [NotificationDto] }) items!: NotificationDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

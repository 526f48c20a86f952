import { PageQueryDto } from '../../common/page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsEnum, IsIn, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';
import { DomainEventType } from '../../outbox/domain-event';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://agency.example/passage-events', description: 'https in production' })
  @IsString()
  @MaxLength(2000)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url!: string;

  @ApiProperty({ enum: DomainEventType, enumName: 'DomainEventType', isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsEnum(DomainEventType, { each: true })
  events!: DomainEventType[];
}

export class CreatedWebhookDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'HMAC key for X-Passage-Signature. Shown only once.' }) secret!: string;
}

export class WebhookDto {
  @ApiProperty() id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ enum: DomainEventType, enumName: 'DomainEventType', isArray: true }) events!: DomainEventType[];
  @ApiProperty() active!: boolean;
  @ApiProperty() createdAt!: string;
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookDto] }) items!: WebhookDto[];
}

export class DeliveryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'dead'] })
  @IsOptional()
  @IsIn(['pending', 'delivered', 'dead'])
  status?: 'pending' | 'delivered' | 'dead';
}

export class DeliveryDto {
  @ApiProperty() id!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty({ enum: DomainEventType, enumName: 'DomainEventType' }) type!: DomainEventType;
  @ApiProperty() caseId!: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'dead'] }) status!: 'pending' | 'delivered' | 'dead';
  @ApiProperty() attempts!: number;
  @ApiProperty({ description: 'Manual replays after dead-lettering' }) replays!: number;
  @ApiProperty({ type: Number, nullable: true }) lastStatusCode!: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) lastAttemptAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) deliveredAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) deadAt!: string | null;
}

export class DeliveryListDto {
  @ApiProperty({ type: [DeliveryDto] }) items!: DeliveryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { QueueName } from '../job-name';

export class JobCountsDto {
  @ApiProperty() waiting!: number;
  @ApiProperty() prioritized!: number;
  @ApiProperty() active!: number;
  @ApiProperty() delayed!: number;
  @ApiProperty() completed!: number;
  @ApiProperty() failed!: number;
}

export class QueueCountsDto {
  @ApiProperty({ enum: QueueName, enumName: 'QueueName' }) name!: QueueName;
  @ApiProperty({ type: JobCountsDto, nullable: true, description: 'null when Redis did not answer' }) counts!: JobCountsDto | null;
  @ApiPropertyOptional() error?: string;
}

export class OutboxBacklogDto {
  @ApiProperty() pending!: number;
  @ApiProperty() oldestPendingSeconds!: number;
  @ApiProperty() relayedUnprocessed!: number;
}

export class DeadlineBacklogDto {
  @ApiProperty() pending!: number;
  @ApiProperty() overdue!: number;
}

export class WebhookBacklogDto {
  @ApiProperty() pending!: number;
  @ApiProperty() dead!: number;
}

export class QueueStatusDto {
  @ApiProperty({ type: [QueueCountsDto] }) queues!: QueueCountsDto[];
  @ApiProperty({ type: OutboxBacklogDto }) outbox!: OutboxBacklogDto;
  @ApiProperty({ type: DeadlineBacklogDto }) deadlines!: DeadlineBacklogDto;
  @ApiProperty({ type: WebhookBacklogDto }) webhookDeliveries!: WebhookBacklogDto;
}

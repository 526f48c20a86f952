import { PageQueryDto } from '../../common/page-query.dto';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsEnum, IsIn, IsISO8601, IsOptional, IsUUID, Matches } from 'class-validator';
import { AuditAction, type AuditOutcome } from '../audit-action';

const OUTCOMES: AuditOutcome[] = ['allowed', 'denied'];
/** A date, or a date and time with an explicit offset: times are UTC, never the server's local time. */
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export class AuditFiltersDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID('all') caseId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The acting user' }) @IsOptional() @IsUUID('all') actorId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: "The acting user's organisation" }) @IsOptional() @IsUUID('all') organisationId?: string;
  @ApiPropertyOptional({ enum: AuditAction }) @IsOptional() @IsEnum(AuditAction) action?: AuditAction;
  @ApiPropertyOptional({ enum: OUTCOMES }) @IsOptional() @IsIn(OUTCOMES) outcome?: AuditOutcome;

  @ApiPropertyOptional({ description: 'Inclusive; a date (UTC midnight) or a date-time with offset', example: '2026-01-01T00:00:00Z' })
  @IsOptional()
  @Matches(INSTANT, { message: 'must be a date or a date-time with Z or an offset' })
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Exclusive; a date (UTC midnight) or a date-time with offset', example: '2026-02-01T00:00:00Z' })
  @IsOptional()
  @Matches(INSTANT, { message: 'must be a date or a date-time with Z or an offset' })
  @IsISO8601({ strict: true })
  to?: string;
}

export class AuditEventsQueryDto extends IntersectionType(AuditFiltersDto, PageQueryDto) {}

class AuditActorDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) userId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) organisationId!: string | null;
  @ApiProperty({ nullable: true, type: String }) role!: string | null;
}

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: AuditActorDto }) actor!: AuditActorDto;
  @ApiProperty({ enum: AuditAction }) action!: string;
  @ApiPropertyOptional({ format: 'uuid' }) caseId?: string;
  @ApiPropertyOptional({ type: [String] }) sections?: string[];
  @ApiProperty({ enum: OUTCOMES }) outcome!: string;
  @ApiPropertyOptional() legalBasis?: string;
  @ApiPropertyOptional() justification?: string;
  @ApiProperty({ nullable: true, type: String }) requestId!: string | null;
  @ApiProperty({ nullable: true, type: String }) ip!: string | null;
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto] }) items!: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class AuditVerificationDto {
  @ApiProperty() valid!: boolean;
  @ApiProperty({ description: 'Events checked' }) checked!: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'The first event found wrong' }) firstInvalidId?: string;
  @ApiPropertyOptional({ description: 'Its seq, or where missing events begin' }) firstInvalidSeq?: string;
  @ApiPropertyOptional() reason?: string;
}

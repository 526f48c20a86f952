import { PageQueryDto } from '../../common/page-query.dto';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEnum, IsIn, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
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

export class BreakGlassQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'false: only grants still to review; true: only reviewed ones; absent: all' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  reviewed?: boolean;
}

export class BreakGlassReviewDto {
  @ApiProperty({ minLength: 1, maxLength: 2000, description: "The reviewer's conclusion" })
  @IsString()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @MinLength(1)
  @MaxLength(2000)
  note!: string;
}

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

export class BreakGlassGrantDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) caseId!: string;
  @ApiProperty() caseReference!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty() justification!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) reviewedAt!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) reviewedBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) reviewNote!: string | null;
}

export class BreakGlassPageDto {
  @ApiProperty({ type: [BreakGlassGrantDto] }) items!: BreakGlassGrantDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

import { PageQueryDto } from '../../common/page-query.dto';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEnum, IsIn, IsInt, IsISO8601, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { AuditAction, type AuditOutcome } from '../audit-action';

const OUTCOMES: AuditOutcome[] = ['allowed', 'denied'];
/** A case reference as the cases module issues them (country, year, number). */
const CASE_REFERENCE = /^[A-Z]{2}-\d{4}-\d{6,9}$/;
/** A date, or a date and time with an explicit offset: times are UTC, never the server's local time. */
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export class AuditFiltersDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID('all') caseId?: string;
  @ApiPropertyOptional({ description: 'The case by its reference (exact)', example: 'BE-2026-000042' })
  @IsOptional()
  @Matches(CASE_REFERENCE, { message: 'must be a case reference such as BE-2026-000042' })
  caseReference?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The acting user' }) @IsOptional() @IsUUID('all') actorId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: "The acting user's organisation" }) @IsOptional() @IsUUID('all') organisationId?: string;
  @ApiPropertyOptional({ enum: AuditAction, enumName: 'AuditAction' }) @IsOptional() @IsEnum(AuditAction) action?: AuditAction;
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
  @ApiProperty({ nullable: true, type: String, description: "The acting user's name (null for an unknown login)" }) name!: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The acting user's organisation's name" }) organisationName!: string | null;
}

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: AuditActorDto }) actor!: AuditActorDto;
  @ApiProperty({ enum: AuditAction, enumName: 'AuditAction' }) action!: string;
  @ApiPropertyOptional({ format: 'uuid' }) caseId?: string;
  @ApiPropertyOptional({ example: 'BE-2026-000042' }) caseReference?: string;
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

export class AuditBreakDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The event concerned, when one can be named' }) eventId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Its index in the log, or the first index of the range concerned' }) index!: string | null;
  @ApiProperty() reason!: string;
}

export class AuditVerificationDto {
  @ApiProperty() valid!: boolean;
  @ApiProperty({ description: 'Log entries checked' }) checked!: number;
  @ApiProperty({ description: 'Entries in the log verified' }) treeSize!: string;
  @ApiProperty({ description: 'Size of the newest signed checkpoint it was checked against' }) checkpointSize!: string;
  @ApiProperty({ type: [AuditBreakDto], description: 'Every break found (at most 1,000)' }) breaks!: AuditBreakDto[];
  @ApiPropertyOptional({ description: 'More breaks were found than listed' }) truncated?: boolean;
}

export class VerifierKeyDto {
  @ApiProperty({ example: 'passage.example.org/audit' }) origin!: string;
  @ApiProperty({ description: 'C2SP verifier key: <name>+<hex key hash>+<base64(0x01 ‖ Ed25519 public key)>' }) verifierKey!: string;
}

export class InclusionProofDto {
  @ApiProperty() leafIndex!: number;
  @ApiProperty() treeSize!: number;
  @ApiProperty({ description: "Base64 of the event's canonical bytes (UTF-8 JSON); the leaf hash is SHA-256(0x00 ‖ entry)" }) entry!: string;
  @ApiProperty({ type: [String], description: 'RFC 9162 audit path, base64 hashes, leaf upwards' }) inclusionPath!: string[];
  @ApiProperty({ description: 'The signed checkpoint (C2SP signed note) the path leads to' }) checkpoint!: string;
}

export class ConsistencyQueryDto {
  @ApiProperty({ minimum: 1 }) @Type(() => Number) @IsInt() @Min(1) @Max(Number.MAX_SAFE_INTEGER) from!: number;
  @ApiProperty({ minimum: 1 }) @Type(() => Number) @IsInt() @Min(1) @Max(Number.MAX_SAFE_INTEGER) to!: number;
}

export class ConsistencyProofDto {
  @ApiProperty() from!: number;
  @ApiProperty() to!: number;
  @ApiProperty({ type: [String], description: 'RFC 9162 consistency proof, base64 hashes' }) proof!: string[];
}

export class CaseReferenceQueryDto {
  @ApiProperty({ example: 'BE-2026-000042' })
  @Matches(CASE_REFERENCE, { message: 'must be a case reference such as BE-2026-000042' })
  reference!: string;
}

export class AuditCaseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'BE-2026-000042' }) reference!: string;
}

export class VerifyProgressDto {
  @ApiProperty({ description: 'Log entries checked so far' }) checked!: number;
  @ApiProperty({ description: 'Log entries to check' }) total!: number;
}

class LogCheckpointDto {
  @ApiProperty({ description: 'Entries the checkpoint covers' }) treeSize!: string;
  @ApiProperty({ description: 'Base64 Merkle root hash' }) rootHash!: string;
  @ApiProperty({ format: 'date-time' }) signedAt!: string;
  @ApiProperty({ description: 'The C2SP signed note, as GET /api/audit/checkpoint serves it' }) note!: string;
}

export class AuditLogStateDto {
  @ApiProperty({ description: 'Entries in the log now (the newest may not be checkpointed yet)' }) entries!: string;
  @ApiProperty({ type: LogCheckpointDto, nullable: true, description: 'The newest signed checkpoint; null before the first' })
  checkpoint!: LogCheckpointDto | null;
}

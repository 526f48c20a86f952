import { PageQueryDto } from '../../common/page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { COUNTRIES } from '../../access/organisation-type';
import { EXPLOITATION_TYPES, IdentitySection, InvestigationSection, SummarySection } from '../sections/section-schemas';

/** Case references are `<country>-<year>-<6 digits>`; a prefix of one holds only those characters, so it needs no LIKE escaping. */
export const REFERENCE_PATTERN = /^[A-Z]{2}-\d{4}-\d{6}$/;
export const REFERENCE_PREFIX_PATTERN = /^[A-Z0-9-]{1,14}$/;

export class CreateCaseDto {
  @ApiProperty({ type: SummarySection })
  @IsObject()
  @ValidateNested()
  @Type(() => SummarySection)
  summary!: SummarySection;

  @ApiPropertyOptional({ type: IdentitySection })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => IdentitySection)
  identity?: IdentitySection;

  @ApiPropertyOptional({ type: InvestigationSection })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => InvestigationSection)
  investigation?: InvestigationSection;
}

export class ListCasesQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'closed'] }) @IsOptional() @IsIn(['open', 'closed']) status?: 'open' | 'closed';
  @ApiPropertyOptional({ enum: EXPLOITATION_TYPES }) @IsOptional() @IsIn(EXPLOITATION_TYPES) exploitationType?: string;
  @ApiPropertyOptional({ enum: COUNTRIES }) @IsOptional() @IsIn(COUNTRIES) country?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  minor?: boolean;

  @ApiPropertyOptional({ example: 'BE-2026-000042', description: 'Exact case reference (case-insensitive)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @Matches(REFERENCE_PATTERN, { message: 'must be a case reference such as BE-2026-000042' })
  reference?: string;

  @ApiPropertyOptional({ example: 'BE-2026-0000', description: 'Start of a case reference (case-insensitive)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @Matches(REFERENCE_PREFIX_PATTERN, { message: 'must be the start of a case reference: letters, digits and dashes, up to 14 characters' })
  q?: string;
}

export class UpdateSectionDto {
  @ApiProperty({ description: 'The version you read; a stale one answers 409' })
  @IsInt()
  @Min(1)
  version!: number;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Fields to set; null clears a field' })
  @IsObject()
  data!: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      'Summary only: marking a placed victim as a minor at a centre that takes no minors needs true (else 422); the centre and the lead organisation are told (case.minor_at_adult_centre)',
  })
  @IsOptional()
  @IsBoolean()
  acknowledgeRelocation?: boolean;
}

export const CLOSE_REASONS = ['referred_elsewhere', 'returned_home', 'permit_granted', 'not_a_victim', 'lost_contact', 'other'] as const;

export type CloseReason = (typeof CLOSE_REASONS)[number];

export const CLOSURE_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn'] as const;
export type ClosureStatus = (typeof CLOSURE_STATUSES)[number];

export class CloseCaseDto {
  @ApiProperty({ enum: CLOSE_REASONS }) @IsIn(CLOSE_REASONS) reason!: CloseReason;
}

/** Why the prosecution keeps the case open, or why the lead reopens it: free text, stored sealed. */
export class ClosureReasonDto {
  @ApiProperty({ minLength: 1, maxLength: 2000, description: 'Stored encrypted; never in notifications or the audit trail' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;
}

export class SetLegalHoldDto {
  @ApiProperty({ description: 'Why the case must be kept (e.g. the proceedings); no victim data', minLength: 1, maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;
}

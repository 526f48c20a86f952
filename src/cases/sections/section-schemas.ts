import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsISO31661Alpha2,
  IsISO6391,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsCalendarDate } from '../../common/calendar-date';

export const EXPLOITATION_TYPES = [
  'sexual',
  'labour',
  'domestic_servitude',
  'forced_begging',
  'forced_criminality',
  'organ_removal',
  'forced_marriage',
  'other',
] as const;
export const ILO_INDICATORS = [
  'abuse_of_vulnerability',
  'deception',
  'restriction_of_movement',
  'isolation',
  'physical_sexual_violence',
  'intimidation_threats',
  'retention_of_documents',
  'withholding_wages',
  'debt_bondage',
  'abusive_conditions',
  'excessive_overtime',
] as const;
export const AGE_GROUPS = ['0-11', '12-17', '18-25', '26-40', '41-64', '65+', 'unknown'] as const;
export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;
export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export const HANDLING_CODES = ['H0', 'H1', 'H2', 'H3'] as const;
export const RESIDENCE_STATUSES = ['none', 'reflection_period', 'temporary_permit', 'permanent_permit', 'other'] as const;

const SHORT = 200;
const LONG = 10_000;
const LIST = 50;

export class SummarySection {
  @ApiProperty({ enum: EXPLOITATION_TYPES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EXPLOITATION_TYPES.length)
  @ArrayUnique()
  @IsIn(EXPLOITATION_TYPES, { each: true })
  exploitationTypes!: string[];

  @ApiPropertyOptional({ enum: ILO_INDICATORS, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ILO_INDICATORS.length)
  @ArrayUnique()
  @IsIn(ILO_INDICATORS, { each: true })
  indicators?: string[];

  @ApiProperty()
  @IsBoolean()
  minor!: boolean;

  @ApiPropertyOptional({ enum: AGE_GROUPS })
  @IsOptional()
  @IsIn(AGE_GROUPS)
  ageGroup?: string;

  @ApiPropertyOptional({ enum: GENDERS })
  @IsOptional()
  @IsIn(GENDERS)
  gender?: string;

  @ApiPropertyOptional({ description: 'ISO 639-1 codes', example: ['nl', 'ro'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsISO6391({ each: true })
  languages?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(SHORT, { each: true })
  needs?: string[];

  @ApiPropertyOptional({ enum: RISK_LEVELS })
  @IsOptional()
  @IsIn(RISK_LEVELS)
  riskLevel?: string;
}

export class IdentityDocument {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(50) type!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) number!: string;
  @ApiProperty({ description: 'ISO 3166-1 alpha-2' }) @IsISO31661Alpha2() issuingCountry!: string;
}

export class IdentityContact {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) address?: string;
}

export class IdentitySection {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(SHORT) fullName?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(SHORT, { each: true })
  aliases?: string[];

  @ApiPropertyOptional({ example: '2004-05-17' }) @IsOptional() @IsCalendarDate() dateOfBirth?: string;

  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2' }) @IsOptional() @IsISO31661Alpha2() nationality?: string;

  @ApiPropertyOptional({ type: [IdentityDocument] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => IdentityDocument)
  documents?: IdentityDocument[];

  @ApiPropertyOptional({ type: IdentityContact })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => IdentityContact)
  contact?: IdentityContact;
}

export class CareSection {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(SHORT) placement?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(LONG) medicalNeeds?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(LONG) psychosocialNeeds?: string;
  @ApiPropertyOptional({ description: 'ISO 639-1' }) @IsOptional() @IsISO6391() interpreterLanguage?: string;
}

export class Suspect {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(SHORT) name!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(SHORT) role?: string;
}

export class InvestigationSection {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(LONG) statementSummary?: string;

  @ApiPropertyOptional({ type: [Suspect] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIST)
  @ValidateNested({ each: true })
  @Type(() => Suspect)
  suspects?: Suspect[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIST)
  @IsString({ each: true })
  @MaxLength(SHORT, { each: true })
  locations?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIST)
  @IsString({ each: true })
  @MaxLength(SHORT, { each: true })
  evidenceRefs?: string[];

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) policeReportNumber?: string;
  @ApiPropertyOptional({ enum: HANDLING_CODES }) @IsOptional() @IsIn(HANDLING_CODES) handlingCode?: string;
}

export class ReflectionPeriod {
  @ApiProperty({ example: '2026-11-29' }) @IsCalendarDate() start!: string;
  @ApiProperty({ example: '2027-01-13' }) @IsCalendarDate() end!: string;
}

export class PermitApplication {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) type?: string;
  @ApiPropertyOptional({ example: '2026-12-01' }) @IsOptional() @IsCalendarDate() submittedAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) decision?: string;
}

export class ImmigrationSection {
  @ApiPropertyOptional({ enum: RESIDENCE_STATUSES }) @IsOptional() @IsIn(RESIDENCE_STATUSES) residenceStatus?: string;

  @ApiPropertyOptional({ type: ReflectionPeriod, description: 'Set by POST /api/cases/:id/reflection-period only', readOnly: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ReflectionPeriod)
  reflectionPeriod?: ReflectionPeriod;

  @ApiPropertyOptional({ type: PermitApplication })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PermitApplication)
  permitApplication?: PermitApplication;
}

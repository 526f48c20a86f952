import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { IsCalendarDate } from '../../common/calendar-date';

export const CONSENT_REPORTERS = ['victim', 'guardian'] as const;
export type ConsentReporter = (typeof CONSENT_REPORTERS)[number];

export class WithdrawConsentDto {
  @ApiProperty({ description: 'The organisation whose consent-based access ends' }) @IsUUID() organisationId!: string;
  @ApiProperty({ enum: CONSENT_REPORTERS, description: 'Who told you the consent is withdrawn' }) @IsIn(CONSENT_REPORTERS) reportedBy!: ConsentReporter;
  @ApiProperty({ minLength: 1, maxLength: 2000, description: 'How and when it was reported; stored encrypted, never in the audit trail' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  note!: string;
}

export class ReflectionPeriodDto {
  @ApiProperty({ example: '2026-11-29', description: 'YYYY-MM-DD' })
  @IsCalendarDate()
  startDate!: string;
}

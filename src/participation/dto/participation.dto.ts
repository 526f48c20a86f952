import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { IsCalendarDate } from '../../common/calendar-date';

export class WithdrawConsentDto {
  @ApiProperty({ description: 'The organisation whose consent-based access ends' }) @IsUUID() organisationId!: string;
}

export class ReflectionPeriodDto {
  @ApiProperty({ example: '2026-11-29', description: 'YYYY-MM-DD' })
  @IsCalendarDate()
  startDate!: string;
}

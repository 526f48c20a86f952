import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { COUNTRIES, type Country } from '../../access/organisation-type';
import { GroupBy } from '../statistics-report';

export class PeriodQueryDto {
  @ApiPropertyOptional({ description: 'First month (YYYY-MM, or its first day); default: 11 months before `to`', example: '2026-01' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  from?: string;

  @ApiPropertyOptional({ description: 'Last month, inclusive (YYYY-MM, or its last day); default: the current month', example: '2026-12' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  to?: string;
}

export class StatisticsQueryDto extends PeriodQueryDto {
  @ApiPropertyOptional({ enum: COUNTRIES, description: 'Must lie within your scope' })
  @IsOptional()
  @IsIn(COUNTRIES)
  country?: Country;

  @ApiPropertyOptional({ enum: GroupBy, default: GroupBy.Month })
  @IsOptional()
  @IsEnum(GroupBy)
  groupBy?: GroupBy;
}

/** A count as published: the number, or "<5". */
const CELL = {
  oneOf: [
    { type: 'integer', minimum: 5 },
    { type: 'string', enum: ['<5'] },
  ],
};
/** A quantile in hours: the upper edge of its bucket, ">168" beyond a week, null without answers. */
const HOURS = { nullable: true, oneOf: [{ type: 'number' }, { type: 'string', enum: ['>168'] }] };

class ReferralOutcomesDto {
  @ApiProperty(CELL) pending!: number | '<5';
  @ApiProperty(CELL) accepted!: number | '<5';
  @ApiProperty(CELL) declined!: number | '<5';
  @ApiProperty(CELL) withdrawn!: number | '<5';
  @ApiProperty(CELL) expired!: number | '<5';
}

class ResponseTimeFiguresDto {
  @ApiProperty({ description: 'The answer deadline of this urgency, in hours' }) deadlineHours!: number;
  @ApiProperty(CELL) answered!: number | '<5';
  @ApiProperty(HOURS) medianHours!: number | '>168' | null;
  @ApiProperty(HOURS) p90Hours!: number | '>168' | null;
}

class ResponseTimesDto {
  @ApiProperty({ type: ResponseTimeFiguresDto }) urgent!: ResponseTimeFiguresDto;
  @ApiProperty({ type: ResponseTimeFiguresDto }) routine!: ResponseTimeFiguresDto;
}

export class StatisticsFiguresDto {
  @ApiProperty(CELL) casesOpened!: number | '<5';
  @ApiProperty(CELL) casesClosed!: number | '<5';
  @ApiProperty({ type: ReferralOutcomesDto, nullable: true, description: 'By the target organisation; null in exploitation-type groups' })
  referrals!: ReferralOutcomesDto | null;
  @ApiProperty({ type: ResponseTimesDto, nullable: true, description: 'Answers of accepted and declined referrals; null in exploitation-type groups' })
  responseTime!: ResponseTimesDto | null;
  @ApiProperty({ ...CELL, nullable: true, description: "Beds occupied at the end of the group's period; null where no reception centre is in the group" })
  bedsOccupied!: number | '<5' | null;
  @ApiProperty({ description: 'Figures per organisation and month under 5 left out of this group' }) hidden!: number;
}

export class StatisticsGroupDto extends StatisticsFiguresDto {
  @ApiProperty({ description: 'YYYY-MM, an exploitation type, a country or an organisation id' }) key!: string;
  @ApiProperty({ description: 'Readable: the organisation name for organisations, else the key' }) label!: string;
}

class ScopeDto {
  @ApiPropertyOptional({ enum: COUNTRIES }) country?: string;
  @ApiPropertyOptional({ format: 'uuid' }) organisationId?: string;
}

export class StatisticsResponseDto {
  @ApiProperty({ example: '2026-01' }) from!: string;
  @ApiProperty({ example: '2026-12' }) to!: string;
  @ApiProperty({ enum: GroupBy }) groupBy!: GroupBy;
  @ApiProperty({ type: ScopeDto }) scope!: { country: string } | { organisationId: string };
  @ApiProperty({ example: 5 }) threshold!: number;
  @ApiProperty() note!: string;
  @ApiProperty({ type: [StatisticsGroupDto] }) groups!: StatisticsGroupDto[];
  @ApiProperty({ type: StatisticsFiguresDto }) total!: StatisticsFiguresDto;
}

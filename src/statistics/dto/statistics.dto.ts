import { ApiPropertyOptional } from '@nestjs/swagger';
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

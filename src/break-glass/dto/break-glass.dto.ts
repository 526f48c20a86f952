import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { MeaningfulText } from '../../common/validation';
import { PageQueryDto } from '../../common/page-query.dto';

export class BreakGlassDto {
  @ApiProperty({ minLength: 20, maxLength: 2000 })
  @MeaningfulText(20, 2000)
  justification!: string;
}

export class BreakGlassQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'false: only grants still to review; true: only reviewed ones; absent: all' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  reviewed?: boolean;
}

export class BreakGlassReviewDto {
  @ApiProperty({ minLength: 1, maxLength: 2000, description: "The reviewer's conclusion" })
  @MeaningfulText(1, 2000)
  note!: string;
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

export class BreakGlassCreatedDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The emergency access ends then' }) expiresAt!: string;
}

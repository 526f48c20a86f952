import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { OrganisationRefDto } from '../../common/readable';
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

/** A review's conclusion; `not_justified` notifies the case's lead organisation. */
export const BREAK_GLASS_VERDICTS = ['justified', 'not_justified'] as const;
export type BreakGlassVerdict = (typeof BREAK_GLASS_VERDICTS)[number];

export class BreakGlassReviewDto {
  @ApiProperty({ enum: BREAK_GLASS_VERDICTS, description: '`not_justified` notifies the lead organisation of the case' })
  @IsIn(BREAK_GLASS_VERDICTS)
  verdict!: BreakGlassVerdict;

  @ApiProperty({ minLength: 1, maxLength: 2000, description: "The reviewer's reasons" })
  @MeaningfulText(1, 2000)
  note!: string;
}

class BreakGlassUserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Jan Peeters' }) name!: string;
}

export class BreakGlassGrantDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) caseId!: string;
  @ApiProperty() caseReference!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ type: BreakGlassUserDto, description: 'Who used emergency access' }) user!: BreakGlassUserDto;
  @ApiProperty({ type: OrganisationRefDto }) organisation!: OrganisationRefDto;
  @ApiProperty() justification!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) reviewedAt!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) reviewedBy!: string | null;
  @ApiProperty({ type: BreakGlassUserDto, nullable: true, description: 'The reviewer, readable' }) reviewer!: BreakGlassUserDto | null;
  @ApiProperty({ nullable: true, type: String }) reviewNote!: string | null;
  @ApiProperty({ enum: BREAK_GLASS_VERDICTS, nullable: true, type: String, description: 'Null until reviewed (and on reviews older than verdicts)' })
  verdict!: BreakGlassVerdict | null;
}

export class BreakGlassPageDto {
  @ApiProperty({ type: [BreakGlassGrantDto] }) items!: BreakGlassGrantDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class BreakGlassCreatedDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The emergency access ends then' }) expiresAt!: string;
}

import { PageQueryDto } from '../../common/page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Equals, IsBoolean, IsISO8601, IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { Purpose } from '../../access/policy';
import { ReferralStatus, Urgency } from '../referral-rules';
import { MeaningfulText } from '../../common/validation';

export const REFERRAL_PURPOSES = [Purpose.Shelter, Purpose.Prosecution, Purpose.Investigation, Purpose.LabourInspection, Purpose.Residence] as const;

export class ConsentDto {
  @ApiProperty({ description: 'Must be true: a refusal is not a consent' })
  @IsBoolean()
  @Equals(true, { message: 'must be true; without consent, do not refer' })
  given!: boolean;

  @ApiProperty({ enum: ['victim', 'guardian'] }) @IsIn(['victim', 'guardian']) by!: 'victim' | 'guardian';

  @ApiProperty({ example: '2026-11-29T10:00:00Z' }) @IsISO8601({ strict: true }) recordedAt!: string;
}

export class CreateReferralDto {
  @ApiProperty() @IsUUID() toOrganisationId!: string;
  @ApiProperty({ enum: REFERRAL_PURPOSES }) @IsIn(REFERRAL_PURPOSES) purpose!: (typeof REFERRAL_PURPOSES)[number];
  @ApiProperty({ enum: Urgency }) @IsIn(Object.values(Urgency)) urgency!: Urgency;
  @ApiPropertyOptional({ maxLength: 2000 }) @IsOptional() @IsString() @MaxLength(2000) message?: string;

  @ApiPropertyOptional({ type: ConsentDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ConsentDto)
  consent?: ConsentDto;
}

export class ListReferralsQuery extends PageQueryDto {
  @ApiProperty({ enum: ['incoming', 'outgoing'] }) @IsIn(['incoming', 'outgoing']) direction!: 'incoming' | 'outgoing';
  @ApiPropertyOptional({ enum: ReferralStatus }) @IsOptional() @IsIn(Object.values(ReferralStatus)) status?: ReferralStatus;
}

export class DeclineReferralDto {
  @ApiProperty({ minLength: 1, maxLength: 1000 }) @MeaningfulText(1, 1000) reason!: string;
}

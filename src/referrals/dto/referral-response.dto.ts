import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Purpose } from '../../access/policy';
import { OrganisationRefDto } from '../../common/readable';
import { SummarySection } from '../../cases/sections/section-schemas';
import { ReferralStatus, Urgency } from '../referral-rules';

/** What a target organisation sees before it accepts: the summary section and the message, never identity. */
export class ReferralBriefDto {
  @ApiProperty({ type: SummarySection }) summary!: SummarySection;
  @ApiProperty({ type: String, nullable: true }) message!: string | null;
}

export class ReferralDto {
  @ApiProperty() id!: string;
  @ApiProperty() caseId!: string;
  @ApiProperty({ example: 'BE-2026-000042' }) caseReference!: string;
  @ApiProperty() fromOrganisationId!: string;
  @ApiProperty({ type: OrganisationRefDto, description: 'The referring organisation' }) from!: OrganisationRefDto;
  @ApiProperty() toOrganisationId!: string;
  @ApiProperty({ type: OrganisationRefDto, description: 'The organisation asked to take part' }) to!: OrganisationRefDto;
  @ApiProperty({ enum: Purpose, enumName: 'Purpose' }) purpose!: Purpose;
  @ApiProperty({ enum: Urgency, enumName: 'Urgency' }) urgency!: Urgency;
  @ApiProperty({ enum: ReferralStatus, enumName: 'ReferralStatus' }) status!: ReferralStatus;
  @ApiProperty({ description: 'The target must answer before this time' }) respondBy!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) answeredAt!: string | null;
  @ApiPropertyOptional() declineReason?: string;
  @ApiPropertyOptional({ type: ReferralBriefDto, description: 'Incoming pending referrals only' }) brief?: ReferralBriefDto;
}

export class ReferralListDto {
  @ApiProperty({ type: [ReferralDto] }) items!: ReferralDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

import { ApiProperty } from '@nestjs/swagger';
import { CONSENT_REPORTERS, type ConsentReporter } from './participation.dto';

export class ConsentWithdrawnDto {
  @ApiProperty() caseId!: string;
  @ApiProperty({ description: 'The organisation whose consent-based access ended' }) organisationId!: string;
  @ApiProperty() withdrawnAt!: string;
  @ApiProperty({ enum: CONSENT_REPORTERS }) reportedBy!: ConsentReporter;
  @ApiProperty({ description: 'Participations that ended with the consent' }) revokedParticipations!: number;
  @ApiProperty({ description: 'Pending referrals that were withdrawn with the consent' }) withdrawnReferrals!: number;
}

export class PlacementEndedDto {
  @ApiProperty() caseId!: string;
  @ApiProperty({ description: 'The shelter whose bed was freed' }) organisationId!: string;
  @ApiProperty({ description: 'Free beds of the shelter now' }) bedsAvailable!: number;
}

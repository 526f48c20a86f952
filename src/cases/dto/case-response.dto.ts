import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CaseAction, LISTED_ACTIONS } from '../../access/case-ability.factory';
import { LegalBasis, Purpose } from '../../access/policy';
import { OrganisationRefDto, UserNameDto } from '../../common/readable';
import { CareSection, IdentitySection, ImmigrationSection, InvestigationSection, SummarySection } from '../sections/section-schemas';
import { IdentityMatchDto } from '../../matching/dto/identity-match.dto';
import { CLOSE_REASONS, CLOSURE_STATUSES, type CloseReason, type ClosureStatus } from './case.dto';

/*
 * What the case endpoints answer, for the OpenAPI document the web app's client is generated
 * from. Sections are answered as their fields plus the version to send back with a change.
 */

const VERSION = { description: 'Send it back with a change; a stale one answers 409', example: 1 };
const ACCESS = ['read', 'write'];

export class SummarySectionView extends SummarySection {
  @ApiProperty(VERSION) version!: number;
}
export class IdentitySectionView extends IdentitySection {
  @ApiProperty(VERSION) version!: number;
}
export class CareSectionView extends CareSection {
  @ApiProperty(VERSION) version!: number;
}
export class InvestigationSectionView extends InvestigationSection {
  @ApiProperty(VERSION) version!: number;
}
export class ImmigrationSectionView extends ImmigrationSection {
  @ApiProperty(VERSION) version!: number;
}

/** PATCH …/sections/:section answers the one section it changed. */
export const SECTION_VIEWS = [SummarySectionView, IdentitySectionView, CareSectionView, InvestigationSectionView, ImmigrationSectionView];

export class SectionPermissionsDto {
  @ApiPropertyOptional({ enum: ACCESS }) summary?: 'read' | 'write';
  @ApiPropertyOptional({ enum: ACCESS }) identity?: 'read' | 'write';
  @ApiPropertyOptional({ enum: ACCESS }) care?: 'read' | 'write';
  @ApiPropertyOptional({ enum: ACCESS }) investigation?: 'read' | 'write';
  @ApiPropertyOptional({ enum: ACCESS }) immigration?: 'read' | 'write';
}

export class CasePermissionsDto {
  @ApiProperty({ type: SectionPermissionsDto, description: 'The sections the caller may read or write; absent ones are hidden' })
  sections!: SectionPermissionsDto;

  @ApiProperty({ enum: LISTED_ACTIONS, enumName: 'CaseAction', isArray: true })
  actions!: CaseAction[];
}

class CaseHeaderDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'BE-2026-000042' }) reference!: string;
  @ApiProperty({ example: 'BE' }) country!: string;
  @ApiProperty({ enum: ['open', 'closed'] }) status!: 'open' | 'closed';
  @ApiProperty() leadOrganisationId!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class CaseSummaryDto extends CaseHeaderDto {
  @ApiProperty({ description: "Open, but its closing waits for the prosecution's approval" }) closing!: boolean;
  @ApiProperty({ type: SummarySectionView }) summary!: SummarySectionView;
}

export class CaseListDto {
  @ApiProperty({ type: [CaseSummaryDto] }) items!: CaseSummaryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class CaseClosureDto {
  @ApiProperty({
    enum: CLOSURE_STATUSES,
    description: 'pending: the case is closing, waiting for the prosecution; withdrawn: the lead closed it directly once no prosecution took part',
  })
  status!: ClosureStatus;
  @ApiProperty({ enum: CLOSE_REASONS }) reason!: CloseReason;
  @ApiProperty() requestedAt!: string;
  @ApiProperty({ type: String, nullable: true }) decidedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The organisation that decided' }) decidedByOrganisationId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the prosecution kept the case open' }) rejectionReason!: string | null;
}

export class CaseReopeningDto {
  @ApiProperty() reopenedAt!: string;
  @ApiProperty() organisationId!: string;
  @ApiProperty() reason!: string;
}

export class LegalHoldDto {
  @ApiProperty({ description: 'When the hold was set' }) since!: string;
  @ApiProperty() reason!: string;
}

export class CaseLegalHoldDto {
  @ApiProperty({ type: LegalHoldDto, nullable: true, description: 'null: no hold, retention applies after closing' }) legalHold!: LegalHoldDto | null;
}

export class CaseDto extends CaseHeaderDto {
  @ApiProperty({ type: String, nullable: true, description: 'When the case was closed' }) closedAt!: string | null;
  @ApiProperty({ type: LegalHoldDto, nullable: true, description: 'Prosecution’s hold; retention leaves the case alone while it is set' })
  legalHold!: LegalHoldDto | null;
  @ApiPropertyOptional({ type: SummarySectionView }) summary?: SummarySectionView;
  @ApiPropertyOptional({ type: IdentitySectionView }) identity?: IdentitySectionView;
  @ApiPropertyOptional({ type: CareSectionView }) care?: CareSectionView;
  @ApiPropertyOptional({ type: InvestigationSectionView }) investigation?: InvestigationSectionView;
  @ApiPropertyOptional({ type: ImmigrationSectionView }) immigration?: ImmigrationSectionView;
  @ApiProperty({ type: CasePermissionsDto }) permissions!: CasePermissionsDto;
  @ApiPropertyOptional({ type: CaseClosureDto, description: 'The newest closing that needed the prosecution’s approval' }) closure?: CaseClosureDto;
  @ApiPropertyOptional({ type: CaseReopeningDto, description: 'The newest reopening' }) reopening?: CaseReopeningDto;
  @ApiPropertyOptional({
    type: [IdentityMatchDto],
    description: 'On create only: open cases of other agencies for the same person; contact their lead organisation',
  })
  possibleDuplicates?: IdentityMatchDto[];
}

export class ClosedCaseDto {
  @ApiProperty() id!: string;
  @ApiProperty() reference!: string;
  @ApiProperty({ enum: ['closed'] }) status!: 'closed';
  @ApiProperty() closeReason!: string;
  @ApiProperty() closedAt!: string;
}

export class ClosingCaseDto {
  @ApiProperty() id!: string;
  @ApiProperty() reference!: string;
  @ApiProperty({ enum: ['closing'] }) status!: 'closing';
  @ApiProperty({ enum: CLOSE_REASONS }) closeReason!: CloseReason;
  @ApiProperty() requestedAt!: string;
}

export class ReopenedCaseDto {
  @ApiProperty() id!: string;
  @ApiProperty() reference!: string;
  @ApiProperty({ enum: ['open'] }) status!: 'open';
  @ApiProperty({ type: CaseReopeningDto }) reopening!: CaseReopeningDto;
}

export class AccessGrantDto {
  @ApiProperty({ enum: ['participation', 'break_glass'] }) source!: 'participation' | 'break_glass';
  @ApiProperty() organisationId!: string;
  @ApiProperty({ enum: Purpose, enumName: 'Purpose', nullable: true }) purpose!: Purpose | null;
  @ApiProperty({ enum: LegalBasis, enumName: 'LegalBasis' }) legalBasis!: LegalBasis;
  @ApiProperty({ type: SectionPermissionsDto }) sections!: SectionPermissionsDto;
  @ApiPropertyOptional({ description: 'Break-glass grants end' }) expiresAt?: string;
  @ApiProperty({ type: OrganisationRefDto, description: 'The organisation the grant belongs to, by name' }) organisation!: OrganisationRefDto;
  @ApiPropertyOptional({ type: UserNameDto, description: 'Break-glass grants: the user it was granted to' }) user?: UserNameDto;
}

export class CaseAccessDto {
  @ApiProperty({ type: [AccessGrantDto] }) grants!: AccessGrantDto[];
  @ApiProperty({ enum: LISTED_ACTIONS, enumName: 'CaseAction', isArray: true }) actions!: CaseAction[];
}

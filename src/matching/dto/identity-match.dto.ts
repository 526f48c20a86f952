import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsCalendarDate } from '../../common/calendar-date';
import { Country, OrganisationType } from '../../access/organisation-type';

export class IdentityMatchQueryDto {
  @ApiProperty({ maxLength: 200, description: 'Full name in any script or spelling; never stored or logged' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  fullName!: string;

  @ApiPropertyOptional({ example: '1990-04-12', description: 'YYYY-MM-DD' })
  @IsOptional()
  @IsCalendarDate()
  dateOfBirth?: string;

  @ApiPropertyOptional({ maxLength: 64, description: 'Identity document number; case, spaces and dashes do not matter' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  documentNumber?: string;
}

export class MatchOrganisationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: OrganisationType, enumName: 'OrganisationType' }) type!: OrganisationType;
  @ApiProperty({ enum: Country, enumName: 'Country', nullable: true, type: String }) country!: Country | null;
}

export class IdentityMatchDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only when the caller may read the case' }) caseId?: string;
  @ApiPropertyOptional({ example: 'BE-2026-000042', description: 'Only when the caller may read the case' }) reference?: string;
  @ApiProperty({ type: MatchOrganisationDto, description: 'The lead organisation, to contact' }) organisation!: MatchOrganisationDto;
  @ApiProperty({ description: 'Whether the caller may read the case; when false, only the lead organisation is told' }) visible!: boolean;
  @ApiProperty({
    enum: ['strong', 'possible'],
    description: 'strong: same document number, or same name and date of birth; possible: same name only',
  })
  strength!: 'strong' | 'possible';
}

export class IdentityMatchesDto {
  @ApiProperty({ type: [IdentityMatchDto] }) matches!: IdentityMatchDto[];
}

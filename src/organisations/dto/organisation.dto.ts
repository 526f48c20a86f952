import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsEmail,
  IsEnum,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { OptionalNotNull } from '../../common/validation';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, UserDto } from '../../users/dto/user.dto';
import { Country, OrganisationType } from '../../access/organisation-type';

/** The same rule as the database's CHECK on organisation.slug. */
export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const MAX_BEDS = 10_000;

const trimmed = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class OrganisationQueryDto {
  @ApiPropertyOptional({ enum: OrganisationType, enumName: 'OrganisationType' })
  @IsOptional()
  @IsEnum(OrganisationType)
  type?: OrganisationType;

  @ApiPropertyOptional({ enum: Country, enumName: 'Country' })
  @IsOptional()
  @IsEnum(Country)
  country?: Country;
}

/** The first org_admin: invited by e-mail (a one-time set-password link) unless a password is given. */
export class FirstAdminDto {
  @ApiProperty({ example: 'admin@be-shelter-ghent.test', maxLength: 254 })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'An Janssens', minLength: 1, maxLength: 200 })
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    writeOnly: true,
    description: 'Absent: the admin is invited (user.invite) and sets a password through the e-mailed link',
  })
  @OptionalNotNull()
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password?: string;
}

export class CreateOrganisationDto {
  @ApiProperty({ example: 'be-shelter-ghent', pattern: SLUG_PATTERN.source, maxLength: 64 })
  @IsString()
  @MaxLength(64)
  @Matches(SLUG_PATTERN, { message: 'must be lower-case letters and digits in words joined by single hyphens' })
  slug!: string;

  @ApiProperty({ example: 'Reception Centre Ghent', minLength: 1, maxLength: 200 })
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: OrganisationType, enumName: 'OrganisationType' })
  @IsEnum(OrganisationType)
  type!: OrganisationType;

  @ApiPropertyOptional({ enum: Country, enumName: 'Country', description: 'Required, except for the platform organisation, which has none' })
  @OptionalNotNull()
  @IsEnum(Country)
  country?: Country;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_BEDS, description: 'Reception centres only, and required for them' })
  @OptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_BEDS)
  bedsTotal?: number;

  @ApiPropertyOptional({ description: 'Reception centres only; default false' })
  @OptionalNotNull()
  @IsBoolean()
  acceptsMinors?: boolean;

  @ApiProperty({ type: FirstAdminDto, description: 'The first org_admin of the organisation' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => FirstAdminDto)
  admin!: FirstAdminDto;
}

export class UpdateOrganisationDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @OptionalNotNull()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_BEDS,
    description: 'Reception centres only. Free beds change by the same amount; a total below the occupied beds is refused (409)',
  })
  @OptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_BEDS)
  bedsTotal?: number;

  @ApiPropertyOptional({ description: 'Reception centres only' })
  @OptionalNotNull()
  @IsBoolean()
  acceptsMinors?: boolean;

  @ApiPropertyOptional({ description: 'false deactivates the organisation: its users are signed out and refused' })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

export class OrganisationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: OrganisationType, enumName: 'OrganisationType' }) type!: OrganisationType;
  @ApiProperty({ enum: Country, enumName: 'Country', nullable: true, type: String }) country!: Country | null;
  @ApiPropertyOptional({ description: 'Reception centres only' }) bedsTotal?: number;
  @ApiPropertyOptional({ description: 'Reception centres only' }) bedsAvailable?: number;
  @ApiPropertyOptional({ description: 'Reception centres only' }) acceptsMinors?: boolean;
  @ApiProperty({ description: 'Inactive organisations are listed to platform admins only' }) active!: boolean;
}

export class OrganisationListDto {
  @ApiProperty({ type: [OrganisationDto] }) items!: OrganisationDto[];
}

export class CreatedOrganisationDto extends OrganisationDto {
  @ApiProperty({ type: UserDto }) admin!: UserDto;
}

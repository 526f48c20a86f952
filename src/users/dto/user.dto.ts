import { PageQueryDto } from '../../common/page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsEnum, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { OptionalNotNull } from '../../common/validation';
import { Role } from '../../access/role';
import { LANGUAGES, type Language } from '../user.entity';

/** Long enough to resist guessing; bounded so hashing stays cheap. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;

const trimmed = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);
const normalisedEmail = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim().toLowerCase() : value);

/** The fields of a new account, shared by `POST /api/users` and the first admin of a new organisation. */
export class NewAccountDto {
  @ApiProperty({ example: 'j.peeters@be-police.test', maxLength: 254 })
  @Transform(normalisedEmail)
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'Jan Peeters', minLength: 1, maxLength: 200 })
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, writeOnly: true })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;
}

/** A new account whose user chooses the password through an e-mailed one-time link (`POST /api/users/invitations`). */
export class InviteUserDto {
  @ApiProperty({ example: 'j.peeters@be-police.test', maxLength: 254 })
  @Transform(normalisedEmail)
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'Jan Peeters', minLength: 1, maxLength: 200 })
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: Role, enumName: 'Role', description: 'Must fit the organisation type; org_admin cannot invite platform_admin' })
  @IsEnum(Role)
  role!: Role;
}

/** `POST /api/auth/set-password`: the token from the invitation link and the new password. */
export class SetPasswordDto {
  @ApiProperty({ description: 'The token of the set-password link (single use, 72 hours)', minLength: 20, maxLength: 200, writeOnly: true })
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  token!: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, writeOnly: true })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;
}

export class CreateUserDto extends NewAccountDto {
  @ApiProperty({ enum: Role, enumName: 'Role', description: 'Must fit the organisation type; org_admin cannot create platform_admin' })
  @IsEnum(Role)
  role!: Role;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @OptionalNotNull()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: Role, enumName: 'Role' })
  @OptionalNotNull()
  @IsEnum(Role)
  role?: Role;

  @ApiPropertyOptional({ description: 'false deactivates the account and ends its sessions' })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

export class UserListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: Role, enumName: 'Role' })
  @IsOptional()
  @IsEnum(Role)
  role?: Role;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: Role, enumName: 'Role' }) role!: Role;
  @ApiProperty() active!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the open set-password invitation runs out (it may already have); null when none is open',
  })
  invitedUntil!: string | null;
}

export class UserListDto {
  @ApiProperty({ type: [UserDto] }) items!: UserDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

/** What a user may change about themselves (`PATCH /api/me`). */
export class UpdateMeDto {
  @ApiPropertyOptional({ enum: LANGUAGES, description: 'The language of the web app and of e-mails' })
  @OptionalNotNull()
  @IsIn(LANGUAGES)
  language?: Language;

  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @OptionalNotNull()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;
}

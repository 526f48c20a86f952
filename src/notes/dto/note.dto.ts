import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto';

export const NOTE_KINDS = ['note', 'contact'] as const;
export const NOTE_VISIBILITIES = ['organisation', 'participants'] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];
export type NoteVisibility = (typeof NOTE_VISIBILITIES)[number];

export class CreateNoteDto {
  @ApiProperty({ maxLength: 20_000, description: 'Victim data: stored encrypted, never logged' })
  @IsString()
  @MinLength(1)
  @MaxLength(20_000)
  body!: string;

  @ApiProperty({ enum: NOTE_VISIBILITIES, description: 'organisation: your organisation only; participants: every participating organisation' })
  @IsIn(NOTE_VISIBILITIES)
  visibility!: NoteVisibility;

  @ApiProperty({ enum: NOTE_KINDS, description: 'contact: an entry of the victim contact log' })
  @IsIn(NOTE_KINDS)
  kind!: NoteKind;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the contact took place (contact entries only; default: now)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  contactAt?: string;
}

export class NoteAuthorDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
}

export class NoteOrganisationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() name!: string;
}

export class NoteDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) caseId!: string;
  @ApiProperty({ enum: NOTE_KINDS }) kind!: NoteKind;
  @ApiProperty({ enum: NOTE_VISIBILITIES }) visibility!: NoteVisibility;
  @ApiProperty() body!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) contactAt!: string | null;
  @ApiProperty({ type: NoteAuthorDto }) author!: NoteAuthorDto;
  @ApiProperty({ type: NoteOrganisationDto }) organisation!: NoteOrganisationDto;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class NotePageDto {
  @ApiProperty({ type: [NoteDto] }) items!: NoteDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ListNotesQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: NOTE_KINDS }) @IsOptional() @IsIn(NOTE_KINDS) kind?: NoteKind;
}

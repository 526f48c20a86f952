import { ApiProperty } from '@nestjs/swagger';
import { Section } from '../../access/policy';
import { DocumentMimeType } from '../document-type';

/** Documents belong to a sensitive section, whose readers read them. */
export const DOCUMENT_SECTIONS = [Section.Identity, Section.Care, Section.Investigation, Section.Immigration] as const;
export type DocumentSection = (typeof DOCUMENT_SECTIONS)[number];

export class DocumentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) caseId!: string;
  @ApiProperty({ description: 'The uploaded file name' }) name!: string;
  @ApiProperty({ description: 'Bytes' }) size!: number;
  @ApiProperty({ enum: DocumentMimeType, enumName: 'DocumentMimeType', description: 'From the content, not the name' }) mimeType!: DocumentMimeType;
  @ApiProperty({ enum: DOCUMENT_SECTIONS, description: 'Who may read it: those who may read this section' }) section!: DocumentSection;
  @ApiProperty({ description: 'Hex SHA-256 of the content' }) sha256!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ format: 'uuid' }) uploadedBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class DocumentListDto {
  @ApiProperty({ type: [DocumentDto] }) items!: DocumentDto[];
}

/** The multipart body, for the OpenAPI document only (the controller reads the parts itself). */
export class DocumentUploadDto {
  @ApiProperty({ enum: DOCUMENT_SECTIONS }) section!: DocumentSection;
  @ApiProperty({ type: 'string', format: 'binary', description: 'One file, at most 20 MB: pdf, jpeg, png, docx or odt' }) file!: unknown;
}

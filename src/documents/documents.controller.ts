import type { MultipartFile, MultipartValue } from '@fastify/multipart';
import { Controller, Get, Param, Post, Req, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Principal, RequestMeta } from '../access/principal';
import { CurrentPrincipal, Meta } from '../access/route.decorators';
import { CaseIdPipe, IdPipe } from '../common/ids';
import { ApiProblems } from '../common/openapi';
import { Problem } from '../common/problem';
import { DOCUMENT_SECTIONS, DocumentDto, DocumentListDto, type DocumentSection, DocumentUploadDto } from './dto/document.dto';
import { DOCUMENT_EXTENSIONS, type DocumentMimeType } from './document-type';
import { DocumentsService } from './documents.service';

/** API.md: one file of at most 20 MB per upload. */
export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

/**
 * The saved file is named after the document, not as uploaded: an uploaded name often names the
 * victim ("passport Maria I.pdf"), and a download's name stays in the browser's history and the
 * Downloads folder of a shared office computer. The real name is shown inside the app only.
 */
function contentDisposition(documentId: string, mimeType: DocumentMimeType): string {
  return `attachment; filename="passage-document-${documentId.slice(0, 8)}.${DOCUMENT_EXTENSIONS[mimeType]}"`;
}

@ApiTags('documents')
@ApiBearerAuth()
@Controller()
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Post('cases/:id/documents')
  @ApiOperation({
    summary: 'Attach a document to a section (who may write the section); type from the content',
    description: 'multipart/form-data with the fields `section` and `file`. Audited as case.document.upload.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: DocumentUploadDto })
  @ApiCreatedResponse({ type: DocumentDto })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415)
  async upload(@CurrentPrincipal() principal: Principal, @Param('id', CaseIdPipe) caseId: string, @Req() request: FastifyRequest, @Meta() meta: RequestMeta) {
    const { section, file } = await readUpload(request);
    return this.documents.upload(principal, caseId, section, file, meta);
  }

  @Get('cases/:id/documents')
  @ApiOperation({ summary: 'The documents of the sections the caller may read, newest first (audited as case.document.list)' })
  @ApiOkResponse({ type: DocumentListDto })
  @ApiProblems(401, 404)
  list(@CurrentPrincipal() principal: Principal, @Param('id', CaseIdPipe) caseId: string, @Meta() meta: RequestMeta) {
    return this.documents.list(principal, caseId, meta);
  }

  @Get('documents/:id/content')
  @ApiOperation({ summary: 'Download a document, streamed, as an attachment (audited as case.document.read)' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The file, with Content-Disposition: attachment', schema: { type: 'string', format: 'binary' } })
  @ApiProblems(401, 404)
  async content(@CurrentPrincipal() principal: Principal, @Param('id', new IdPipe('Document not found')) id: string, @Meta() meta: RequestMeta) {
    const download = await this.documents.download(principal, id, meta);
    return new StreamableFile(download.stream, { type: download.mimeType, length: download.size, disposition: contentDisposition(id, download.mimeType) });
  }
}

/**
 * Reads the two parts of an upload in whatever order they come. The file is held in memory (at
 * most 20 MB): its type is known only from its bytes, and DOCX/ODT only from their end.
 */
async function readUpload(request: FastifyRequest): Promise<{ section: DocumentSection; file: { name: string; content: Buffer } }> {
  if (!request.isMultipart()) throw new Problem(415, 'unsupported-media-type', 'Send the document as multipart/form-data with the fields section and file');
  let section: string | undefined;
  let file: { name: string; content: Buffer } | undefined;
  try {
    for await (const part of request.parts({ limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 1, parts: 2, fieldSize: 100 } })) {
      if (part.type === 'file') {
        const upload = part as MultipartFile;
        if (upload.fieldname !== 'file')
          throw Problem.badRequest('The request is invalid', [{ path: upload.fieldname, message: 'is not a field of an upload' }]);
        file = { name: upload.filename, content: await upload.toBuffer() };
      } else {
        const field = part as MultipartValue;
        if (field.fieldname !== 'section')
          throw Problem.badRequest('The request is invalid', [{ path: field.fieldname, message: 'is not a field of an upload' }]);
        section = typeof field.value === 'string' ? field.value : undefined;
      }
    }
  } catch (error) {
    if (error instanceof Problem) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new Problem(413, 'document-too-large', 'A document may be at most 20 MB');
    // Anything else failed while parsing the client's bytes (the multipart limits, or busboy's own
    // "Unexpected end of form", "Malformed part header"...): the body is at fault, not the server.
    throw Problem.badRequest('The multipart body is malformed or has more than one file and one field');
  }
  const errors = [
    ...(DOCUMENT_SECTIONS.includes(section as DocumentSection) ? [] : [{ path: 'section', message: `must be one of ${DOCUMENT_SECTIONS.join(', ')}` }]),
    ...(file && file.content.length > 0 ? [] : [{ path: 'file', message: 'must be a non-empty file' }]),
  ];
  if (errors.length > 0) throw Problem.badRequest('The request is invalid', errors);
  return { section: section as DocumentSection, file: file! };
}

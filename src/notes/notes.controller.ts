import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal, RequestMeta } from '../access/principal';
import { CurrentPrincipal, Meta } from '../access/route.decorators';
import { CaseIdPipe } from '../common/ids';
import { ApiProblems } from '../common/openapi';
import { CreateNoteDto, ListNotesQuery, NoteDto, NotePageDto } from './dto/note.dto';
import { NotesService } from './notes.service';

@ApiTags('notes')
@ApiBearerAuth()
@Controller('cases/:id/notes')
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  @Post()
  @ApiOperation({ summary: 'Add a note or contact-log entry (participating organisation, open case); append-only. Audited as case.note.create.' })
  @ApiCreatedResponse({ type: NoteDto })
  @ApiProblems(400, 401, 403, 404, 409, 422)
  create(@CurrentPrincipal() principal: Principal, @Param('id', CaseIdPipe) caseId: string, @Body() body: CreateNoteDto, @Meta() meta: RequestMeta) {
    return this.notes.create(principal, caseId, body, meta);
  }

  @Get()
  @ApiOperation({ summary: 'Notes the caller’s organisation may read, newest first. Audited as case.note.list.' })
  @ApiOkResponse({ type: NotePageDto })
  @ApiProblems(400, 401, 403, 404)
  list(@CurrentPrincipal() principal: Principal, @Param('id', CaseIdPipe) caseId: string, @Query() query: ListNotesQuery, @Meta() meta: RequestMeta) {
    return this.notes.list(principal, caseId, query, meta);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { SECTIONS, type Section } from '../access/policy';
import { CurrentPrincipal, Meta } from '../access/route.decorators';
import type { Principal, RequestMeta } from '../access/principal';
import { CaseIdPipe } from '../common/ids';
import { ApiProblems } from '../common/openapi';
import { SectionPipe } from './case-params';
import { CaseChangesService } from './case-changes.service';
import { CaseClosureService } from './case-closure.service';
import { CasesService } from './cases.service';
import {
  CaseAccessDto,
  CaseClosureDto,
  CaseDto,
  CaseLegalHoldDto,
  CaseListDto,
  ClosedCaseDto,
  ClosingCaseDto,
  ReopenedCaseDto,
  SECTION_VIEWS,
} from './dto/case-response.dto';
import { CloseCaseDto, ClosureReasonDto, CreateCaseDto, ListCasesQuery, SetLegalHoldDto, UpdateSectionDto } from './dto/case.dto';
import { LegalHoldService } from './legal-hold.service';

@ApiTags('cases')
@ApiBearerAuth()
@ApiExtraModels(...SECTION_VIEWS)
@Controller('cases')
export class CasesController {
  constructor(
    private readonly cases: CasesService,
    private readonly changes: CaseChangesService,
    private readonly closure: CaseClosureService,
    private readonly legalHolds: LegalHoldService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Open a case (officer, inspector); the caller’s organisation leads it' })
  @ApiCreatedResponse({ description: 'The case as GET returns it', type: CaseDto })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateCaseDto, @Meta() meta: RequestMeta) {
    return this.cases.create(principal, body, meta);
  }

  @Get()
  @ApiOperation({ summary: 'Cases the caller can read, newest first, with the summary section' })
  @ApiOkResponse({ type: CaseListDto })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListCasesQuery, @Meta() meta: RequestMeta) {
    return this.cases.list(principal, query, meta);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A case with the sections the caller may read, and what the caller may do' })
  @ApiOkResponse({ type: CaseDto })
  @ApiNotFoundResponse({ description: 'No such case, or the caller may not know it exists' })
  @ApiProblems(410)
  read(@CurrentPrincipal() principal: Principal, @Param('id', CaseIdPipe) id: string, @Meta() meta: RequestMeta) {
    return this.cases.read(principal, id, meta);
  }

  @Patch(':id/sections/:section')
  @ApiOperation({ summary: 'Merge fields into a section (null clears); stale version answers 409' })
  @ApiParam({ name: 'section', enum: SECTIONS, enumName: 'Section' })
  @ApiOkResponse({ description: 'The whole new section', schema: { oneOf: SECTION_VIEWS.map((view) => ({ $ref: getSchemaPath(view) })) } })
  updateSection(
    @CurrentPrincipal() principal: Principal,
    @Param('id', CaseIdPipe) id: string,
    @Param('section', SectionPipe) section: Section,
    @Body() body: UpdateSectionDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.changes.updateSection(principal, id, section, body.version, body.data, meta, { acknowledgeRelocation: body.acknowledgeRelocation });
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Close the case (lead organisation); frees beds, withdraws pending referrals. When a prosecution participates it must approve first: 202 closing',
  })
  @ApiOkResponse({ type: ClosedCaseDto })
  @ApiAcceptedResponse({ type: ClosingCaseDto, description: 'A prosecution participates: the case stays open until it approves' })
  @ApiConflictResponse({ description: 'closure-pending: closing already waits for the prosecution; case-closed' })
  async close(
    @CurrentPrincipal() principal: Principal,
    @Param('id', CaseIdPipe) id: string,
    @Body() body: CloseCaseDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ClosedCaseDto | ClosingCaseDto> {
    const answer = await this.closure.close(principal, id, body.reason, meta);
    if (answer.status === 'closing') reply.status(202);
    return answer;
  }

  @Post(':id/close/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve the closing the lead asked for (participating prosecution): the case closes' })
  @ApiOkResponse({ type: ClosedCaseDto })
  @ApiConflictResponse({ description: 'no-closure-pending; case-closed' })
  approveClose(@CurrentPrincipal() principal: Principal, @Param('id', CaseIdPipe) id: string, @Meta() meta: RequestMeta): Promise<ClosedCaseDto> {
    return this.closure.approve(principal, id, meta);
  }

  @Post(':id/close/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject the closing the lead asked for (participating prosecution): the case stays open, with the reason' })
  @ApiOkResponse({ type: CaseClosureDto })
  @ApiConflictResponse({ description: 'no-closure-pending; case-closed' })
  rejectClose(
    @CurrentPrincipal() principal: Principal,
    @Param('id', CaseIdPipe) id: string,
    @Body() body: ClosureReasonDto,
    @Meta() meta: RequestMeta,
  ): Promise<CaseClosureDto> {
    return this.closure.reject(principal, id, body.reason, meta);
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reopen a closed case (lead organisation), with the reason' })
  @ApiOkResponse({ type: ReopenedCaseDto })
  @ApiConflictResponse({ description: 'case-open: the case is not closed' })
  reopen(
    @CurrentPrincipal() principal: Principal,
    @Param('id', CaseIdPipe) id: string,
    @Body() body: ClosureReasonDto,
    @Meta() meta: RequestMeta,
  ): Promise<ReopenedCaseDto> {
    return this.closure.reopen(principal, id, body.reason, meta);
  }

  @Get(':id/access')
  @ApiOperation({ summary: 'Why the caller can see this case: participations and grants, with sections' })
  @ApiOkResponse({ type: CaseAccessDto })
  explain(@CurrentPrincipal() principal: Principal, @Param('id', CaseIdPipe) id: string, @Meta() meta: RequestMeta): Promise<CaseAccessDto> {
    return this.cases.explain(principal, id, meta);
  }

  @Post(':id/legal-hold')
  @HttpCode(200)
  @ApiOperation({ summary: 'Put the case under a legal hold (prosecution taking part): retention leaves it alone; 409 if already held' })
  @ApiOkResponse({ type: CaseLegalHoldDto })
  @ApiProblems(400, 401, 403, 404, 409, 410)
  setLegalHold(
    @CurrentPrincipal() principal: Principal,
    @Param('id', CaseIdPipe) id: string,
    @Body() body: SetLegalHoldDto,
    @Meta() meta: RequestMeta,
  ): Promise<CaseLegalHoldDto> {
    return this.legalHolds.set(principal, id, body.reason, meta);
  }

  @Delete(':id/legal-hold')
  @ApiOperation({ summary: 'Lift the legal hold (prosecution taking part); 409 if there is none' })
  @ApiOkResponse({ type: CaseLegalHoldDto })
  @ApiProblems(401, 403, 404, 409, 410)
  releaseLegalHold(@CurrentPrincipal() principal: Principal, @Param('id', CaseIdPipe) id: string, @Meta() meta: RequestMeta): Promise<CaseLegalHoldDto> {
    return this.legalHolds.release(principal, id, meta);
  }
}

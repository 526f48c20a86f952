import { PageQueryDto } from '../common/page-query.dto';
import { Readable } from 'node:stream';
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Meta, Roles } from '../access/route.decorators';
import type { Principal, RequestMeta } from '../access/principal';
import { CaseIdPipe } from '../common/ids';
import { Role } from '../access/role';
import { AuditAction } from './audit-action';
import { AuditQueryService } from './audit-query.service';
import { AuditVerifier } from './audit-verifier';
import { AuditService } from './audit.service';
import { AuditEventPageDto, AuditEventsQueryDto, AuditFiltersDto, AuditVerificationDto } from './dto/audit.dto';

@ApiTags('audit')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Only supervisors audit' })
@Roles(Role.Supervisor)
@Controller()
export class AuditController {
  constructor(
    private readonly queries: AuditQueryService,
    private readonly verifier: AuditVerifier,
    private readonly audit: AuditService,
  ) {}

  @Get('audit/events')
  @ApiOperation({ summary: 'Audit events in your scope, newest first' })
  @ApiOkResponse({ type: AuditEventPageDto })
  events(@CurrentPrincipal() principal: Principal, @Query() query: AuditEventsQueryDto, @Meta() meta: RequestMeta): Promise<AuditEventPageDto> {
    return this.queries.events(principal, query, meta);
  }

  @Get('audit/events.csv')
  @ApiOperation({ summary: 'The same events as CSV (RFC 4180), streamed' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ content: { 'text/csv': { schema: { type: 'string' } } } })
  async exportCsv(
    @CurrentPrincipal() principal: Principal,
    @Query() query: AuditFiltersDto,
    @Meta() meta: RequestMeta,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const lines = await this.queries.exportCsv(principal, query, meta);
    const name = `passage-audit-${new Date().toISOString().slice(0, 10)}.csv`;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(Readable.from(lines, { objectMode: false }));
  }

  @Get('audit/verify')
  @ApiOperation({ summary: 'Recompute the hash chain and check the signed checkpoints' })
  @ApiOkResponse({ type: AuditVerificationDto })
  async verify(@CurrentPrincipal() principal: Principal, @Meta() meta: RequestMeta): Promise<AuditVerificationDto> {
    await this.audit.recordNow({ action: AuditAction.AuditVerify, outcome: 'allowed', actor: principal, meta });
    return this.verifier.verify();
  }

  @Get('cases/:id/access-log')
  @ApiOperation({ summary: "A case's audit events (supervisor of its lead organisation, or oversight of its country)" })
  @ApiOkResponse({ type: AuditEventPageDto })
  @ApiNotFoundResponse({ description: 'No such case' })
  accessLog(
    @CurrentPrincipal() principal: Principal,
    @Param('id', CaseIdPipe) caseId: string,
    @Query() query: PageQueryDto,
    @Meta() meta: RequestMeta,
  ): Promise<AuditEventPageDto> {
    return this.queries.accessLog(principal, caseId, query, meta);
  }
}

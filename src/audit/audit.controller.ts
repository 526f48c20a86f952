import { PageQueryDto } from '../common/page-query.dto';
import { PassThrough, Readable } from 'node:stream';
import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Meta, Public, Roles } from '../access/route.decorators';
import type { Principal, RequestMeta } from '../access/principal';
import { CaseIdPipe, IdPipe } from '../common/ids';
import { Problem } from '../common/problem';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Role } from '../access/role';
import { AuditAction } from './audit-action';
import { AuditProofs } from './audit-proofs.service';
import { AuditQueryService } from './audit-query.service';
import { AuditVerifier } from './audit-verifier';
import { AuditService } from './audit.service';
import {
  AuditCaseDto,
  AuditEventPageDto,
  AuditLogStateDto,
  CaseReferenceQueryDto,
  VerifyProgressDto,
  AuditEventsQueryDto,
  AuditFiltersDto,
  AuditVerificationDto,
  ConsistencyProofDto,
  ConsistencyQueryDto,
  InclusionProofDto,
  VerifierKeyDto,
} from './dto/audit.dto';

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
    private readonly proofs: AuditProofs,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'auditLogOrigin'>,
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
  @ApiOperation({ summary: 'Recompute every leaf and the Merkle tree, check them against the signed checkpoints and the witness' })
  @ApiOkResponse({ type: AuditVerificationDto })
  async verify(@CurrentPrincipal() principal: Principal, @Meta() meta: RequestMeta): Promise<AuditVerificationDto> {
    await this.audit.recordNow({ action: AuditAction.AuditVerify, outcome: 'allowed', actor: principal, meta });
    return this.verifier.verify();
  }

  /**
   * The same verification as GET /api/audit/verify, as Server-Sent Events: `progress`
   * ({ checked, total }) after each batch of the walk, then one `result` (the verification) or
   * `failed`. A long verification shows its progress instead of holding a request open silently.
   */
  @Get('audit/verify/stream')
  @ApiOperation({ summary: 'Verify the log, streaming progress as Server-Sent Events (`progress`, then `result`)' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  async verifyStream(@CurrentPrincipal() principal: Principal, @Meta() meta: RequestMeta, @Res() reply: FastifyReply): Promise<void> {
    await this.audit.recordNow({ action: AuditAction.AuditVerify, outcome: 'allowed', actor: principal, meta });
    const body = new PassThrough();
    const send = (event: string, data: unknown): void => {
      if (!body.writableEnded) body.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    void reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-store').header('x-accel-buffering', 'no').send(body);
    // Progress is coalesced to what a person can follow: at most a few events a second.
    let last = 0;
    const progress = (value: VerifyProgressDto): void => {
      const now = Date.now();
      if (now - last < 200 && value.checked < value.total) return;
      last = now;
      send('progress', value);
    };
    try {
      send('result', await this.verifier.verify(progress));
    } catch {
      send('failed', { title: 'The verification could not finish' });
    } finally {
      body.end();
    }
  }

  @Get('audit/cases')
  @ApiOperation({ summary: 'A case in your audit scope by its reference (to open its access log); 404 outside the scope' })
  @ApiOkResponse({ type: AuditCaseDto })
  @ApiNotFoundResponse({ description: 'No such case in your scope' })
  caseByReference(@CurrentPrincipal() principal: Principal, @Query() query: CaseReferenceQueryDto, @Meta() meta: RequestMeta): Promise<AuditCaseDto> {
    return this.queries.caseByReference(principal, query.reference, meta);
  }

  @Get('audit/log')
  @ApiOperation({ summary: "The log's state: entries now, and the newest signed checkpoint's size, root, time and note" })
  @ApiOkResponse({ type: AuditLogStateDto })
  logState(): Promise<AuditLogStateDto> {
    return this.proofs.logState();
  }

  @Get('audit/checkpoint')
  @ApiOperation({ summary: 'The newest signed checkpoint: a C2SP signed note with a tlog-checkpoint body' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The signed note', schema: { type: 'string' } })
  @ApiNotFoundResponse({ description: 'Nothing has been checkpointed yet' })
  async checkpoint(@Res() reply: FastifyReply): Promise<FastifyReply> {
    const latest = await this.proofs.latestCheckpoint();
    if (!latest) throw Problem.notFound('The audit log has no signed checkpoint yet');
    return reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(latest.note);
  }

  @Get('audit/verifier-key')
  @Public()
  @ApiOperation({ summary: "The log's public key (C2SP verifier key), to check checkpoints and proofs independently" })
  @ApiOkResponse({ type: VerifierKeyDto })
  verifierKey(): VerifierKeyDto {
    return { origin: this.config.auditLogOrigin, verifierKey: this.verifier.verifierKey };
  }

  @Get('audit/events/:id/proof')
  @ApiOperation({ summary: "An event's RFC 9162 inclusion proof to the newest signed checkpoint (409 until it is checkpointed)" })
  @ApiOkResponse({ type: InclusionProofDto })
  @ApiNotFoundResponse({ description: 'No such event in your scope' })
  @ApiConflictResponse({ description: 'Not yet in a signed checkpoint' })
  proof(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new IdPipe('Audit event not found')) id: string,
    @Meta() meta: RequestMeta,
  ): Promise<InclusionProofDto> {
    return this.proofs.inclusion(principal, id, meta);
  }

  @Get('audit/consistency')
  @ApiOperation({ summary: 'RFC 9162 consistency proof between two tree sizes' })
  @ApiOkResponse({ type: ConsistencyProofDto })
  @ApiConflictResponse({ description: '`to` is beyond the newest signed checkpoint' })
  consistency(@Query() query: ConsistencyQueryDto): Promise<ConsistencyProofDto> {
    return this.proofs.consistency(BigInt(query.from), BigInt(query.to));
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

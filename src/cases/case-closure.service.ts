import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { LoadedCase } from '../access/access.service';
import { CaseAction } from '../access/case-ability.factory';
import { Purpose, Section } from '../access/policy';
import type { Principal, RequestMeta } from '../access/principal';
import { AuditAction } from '../audit/audit-action';
import { Sealer } from '../common/crypto';
import { Problem } from '../common/problem';
import { CLOSURE_APPROVAL_REMINDER_MS, DeadlineKind } from '../deadlines/deadline-kind';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { type DomainEvent, DomainEventType } from '../outbox/domain-event';
import { CaseClosureRepository } from './case-closure.repository';
import { closureRejectionAssociatedData, closureView, reopeningAssociatedData, reopeningView } from './case-closure.views';
import { CaseCommand } from './case-command';
import { CaseLifecycle } from './case-lifecycle';
import { CaseRepository } from './case.repository';
import type { CloseReason } from './dto/case.dto';
import type { CaseClosureDto, ClosedCaseDto, ClosingCaseDto, ReopenedCaseDto } from './dto/case-response.dto';

const NO_PENDING_CLOSURE = (): Problem => Problem.conflict('no-closure-pending', 'Nobody has asked to close this case');

/**
 * Closing, its approval and reopening (API.md, Case work). Without a prosecution the lead closes
 * at once; with one, closing is a request the prosecution approves (the case closes) or rejects
 * (it stays open, with the reason). Each step is one CaseCommand, so it is authorized by the
 * policy (CaseAction.Close, DecideClosure, Reopen) and audited with the change.
 */
@Injectable()
export class CaseClosureService {
  constructor(
    private readonly command: CaseCommand,
    private readonly cases: CaseRepository,
    private readonly closures: CaseClosureRepository,
    private readonly lifecycle: CaseLifecycle,
    private readonly deadlines: DeadlinesService,
    private readonly sealer: Sealer,
  ) {}

  close(principal: Principal, caseId: string, reason: CloseReason, meta: RequestMeta): Promise<ClosedCaseDto | ClosingCaseDto> {
    return this.command.run<ClosedCaseDto | ClosingCaseDto>({
      principal,
      caseId,
      meta,
      action: AuditAction.CaseClose,
      authorize: this.command.requireAction(CaseAction.Close),
      basis: [Section.Summary],
      work: async ({ manager, loaded }) => {
        const prosecutions = organisationsOf(loaded, Purpose.Prosecution);
        if (prosecutions.length === 0) {
          await this.closures.withdrawPending(manager, caseId, principal.userId, principal.organisationId);
          const closed = await this.closeNow(manager, loaded, reason, principal);
          return { result: closed, events: this.closedEvent(loaded, principal, []) };
        }
        if (await this.closures.pending(manager, caseId)) {
          return Problem.conflict('closure-pending', 'Closing this case already waits for the prosecution’s decision');
        }
        const request = await this.closures.request(manager, { caseId, reason, userId: principal.userId, organisationId: principal.organisationId });
        await this.deadlines.schedule(manager, {
          kind: DeadlineKind.ClosureApproval,
          caseId,
          dueAt: new Date(request.requested_at.getTime() + CLOSURE_APPROVAL_REMINDER_MS),
          organisationIds: prosecutions,
        });
        await this.cases.touch(manager, caseId);
        return {
          action: AuditAction.CaseCloseRequested,
          result: { id: caseId, reference: loaded.reference, status: 'closing' as const, closeReason: reason, requestedAt: request.requested_at.toISOString() },
          events: [{ type: DomainEventType.CaseClosureRequested, caseId, organisationIds: prosecutions, actorUserId: principal.userId }],
        };
      },
    });
  }

  approve(principal: Principal, caseId: string, meta: RequestMeta): Promise<ClosedCaseDto> {
    return this.command.run({
      principal,
      caseId,
      meta,
      action: AuditAction.CaseCloseApproved,
      authorize: this.command.requireAction(CaseAction.DecideClosure),
      basis: [Section.Summary],
      work: async ({ manager, loaded }) => {
        const pending = await this.closures.pending(manager, caseId);
        if (!pending) return NO_PENDING_CLOSURE();
        await this.closures.decide(manager, pending.id, { status: 'approved', userId: principal.userId, organisationId: principal.organisationId });
        const closed = await this.closeNow(manager, loaded, pending.reason, principal);
        return {
          result: closed,
          events: [
            { type: DomainEventType.CaseClosureApproved, caseId, organisationIds: [loaded.leadOrganisationId], actorUserId: principal.userId },
            // The lead hears of the approval; the others that the case closed.
            ...this.closedEvent(loaded, principal, [loaded.leadOrganisationId]),
          ],
        };
      },
    });
  }

  reject(principal: Principal, caseId: string, reason: string, meta: RequestMeta): Promise<CaseClosureDto> {
    return this.command.run({
      principal,
      caseId,
      meta,
      action: AuditAction.CaseCloseRejected,
      authorize: this.command.requireAction(CaseAction.DecideClosure),
      basis: [Section.Summary],
      work: async ({ manager, loaded }) => {
        const pending = await this.closures.pending(manager, caseId);
        if (!pending) return NO_PENDING_CLOSURE();
        const rejection = this.sealer.seal(Buffer.from(reason, 'utf8'), closureRejectionAssociatedData(pending.id));
        const decided = await this.closures.decide(manager, pending.id, {
          status: 'rejected',
          userId: principal.userId,
          organisationId: principal.organisationId,
          rejection,
        });
        await this.deadlines.cancel(manager, { kind: DeadlineKind.ClosureApproval, caseId });
        await this.cases.touch(manager, caseId);
        return {
          result: closureView(this.sealer, decided),
          events: [{ type: DomainEventType.CaseClosureRejected, caseId, organisationIds: [loaded.leadOrganisationId], actorUserId: principal.userId }],
        };
      },
    });
  }

  /** Open a closed case again. Beds freed by the closing stay free: a new placement goes through a referral. */
  reopen(principal: Principal, caseId: string, reason: string, meta: RequestMeta): Promise<ReopenedCaseDto> {
    return this.command.run({
      principal,
      caseId,
      meta,
      action: AuditAction.CaseReopen,
      authorize: this.command.requireAction(CaseAction.Reopen),
      basis: [Section.Summary],
      work: async ({ manager, loaded }) => {
        await this.cases.reopen(manager, caseId);
        const id = randomUUID();
        const sealed = this.sealer.seal(Buffer.from(reason, 'utf8'), reopeningAssociatedData(id));
        const row = await this.closures.recordReopening(manager, {
          id,
          caseId,
          userId: principal.userId,
          organisationId: principal.organisationId,
          reason: sealed,
        });
        const others = [...new Set(loaded.participations.map((p) => p.organisationId))].filter((org) => org !== principal.organisationId);
        return {
          result: { id: caseId, reference: loaded.reference, status: 'open' as const, reopening: reopeningView(this.sealer, row) },
          events: others.length > 0 ? [{ type: DomainEventType.CaseReopened, caseId, organisationIds: others, actorUserId: principal.userId }] : [],
        };
      },
    });
  }

  private async closeNow(manager: EntityManager, loaded: LoadedCase, reason: CloseReason, principal: Principal): Promise<ClosedCaseDto> {
    const closedAt = await this.cases.close(manager, loaded.id, reason);
    await this.lifecycle.closing(manager, { caseId: loaded.id, actorUserId: principal.userId });
    await this.deadlines.cancelReflectionPeriod(manager, loaded.id);
    await this.deadlines.cancel(manager, { kind: DeadlineKind.ClosureApproval, caseId: loaded.id });
    return { id: loaded.id, reference: loaded.reference, status: 'closed', closeReason: reason, closedAt: closedAt.toISOString() };
  }

  /** case.closed for every participating organisation but the actor's and those told otherwise; none when nobody is left to tell. */
  private closedEvent(loaded: LoadedCase, principal: Principal, toldOtherwise: readonly string[]): DomainEvent[] {
    const skip = new Set([principal.organisationId, ...toldOtherwise]);
    const organisationIds = [...new Set(loaded.participations.map((p) => p.organisationId))].filter((id) => !skip.has(id));
    return organisationIds.length > 0 ? [{ type: DomainEventType.CaseClosed, caseId: loaded.id, organisationIds, actorUserId: principal.userId }] : [];
  }
}

function organisationsOf(loaded: LoadedCase, purpose: Purpose): string[] {
  return [...new Set(loaded.participations.filter((p) => p.purpose === purpose).map((p) => p.organisationId))];
}

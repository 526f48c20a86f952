import { Injectable } from '@nestjs/common';
import { CaseAction } from '../access/case-ability.factory';
import type { Principal, RequestMeta } from '../access/principal';
import { AuditAction } from '../audit/audit-action';
import { Problem } from '../common/problem';
import { CaseCommand } from './case-command';
import { CaseRepository } from './case.repository';

export interface LegalHoldView {
  legalHold: { since: string; reason: string } | null;
}

/**
 * Prosecution's legal hold: while it is set, retention does not anonymise the case, however long
 * ago it closed. Set and lifted by the prosecution participating in the case (src/access), each a
 * CaseCommand with its audit event (the reason stays on the case, not in the audit row).
 */
@Injectable()
export class LegalHoldService {
  constructor(
    private readonly command: CaseCommand,
    private readonly cases: CaseRepository,
  ) {}

  set(principal: Principal, caseId: string, reason: string, meta: RequestMeta): Promise<LegalHoldView> {
    return this.command.run({
      principal,
      caseId,
      meta,
      action: AuditAction.CaseLegalHoldSet,
      authorize: this.command.requireAction(CaseAction.LegalHold),
      basis: this.command.readable,
      work: async ({ manager, loaded }) => {
        if (loaded.legalHold) return Problem.conflict('legal-hold-set', 'The case is already under a legal hold; lift it first to change the reason');
        const since = await this.cases.setLegalHold(manager, caseId, { reason, userId: principal.userId });
        return { result: { legalHold: { since: since.toISOString(), reason } } };
      },
    });
  }

  release(principal: Principal, caseId: string, meta: RequestMeta): Promise<LegalHoldView> {
    return this.command.run({
      principal,
      caseId,
      meta,
      action: AuditAction.CaseLegalHoldReleased,
      authorize: this.command.requireAction(CaseAction.LegalHold),
      basis: this.command.readable,
      work: async ({ manager, loaded }) => {
        if (!loaded.legalHold) return Problem.conflict('no-legal-hold', 'The case is not under a legal hold');
        await this.cases.releaseLegalHold(manager, caseId);
        return { result: { legalHold: null } };
      },
    });
  }
}

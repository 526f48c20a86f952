import { Injectable } from '@nestjs/common';
import { AccessService } from '../access/access.service';
import { CaseAction } from '../access/case-ability.factory';
import { Purpose, Section } from '../access/policy';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { Principal, RequestMeta } from '../access/principal';
import { CaseSectionsStore } from '../cases/case-sections.store';
import { CasesService, type SectionView } from '../cases/cases.service';
import { Problem } from '../common/problem';
import { Country } from '../access/organisation-type';
import { DeadlinesService } from '../deadlines/deadlines.service';

/** End of a reflection period started on `start` (YYYY-MM-DD) in a case of `country`. */
export function reflectionPeriodEnd(start: string, country: Country): string {
  const [year, month, day] = start.split('-').map(Number) as [number, number, number];
  if (country === Country.NL) {
    // Three calendar months; a day the target month lacks becomes its last day (30 Nov → 28/29 Feb).
    const lastDay = new Date(Date.UTC(year, month - 1 + 3 + 1, 0)).getUTCDate();
    return new Date(Date.UTC(year, month - 1 + 3, Math.min(day, lastDay))).toISOString().slice(0, 10);
  }
  const days = country === Country.BE ? 45 : 90;
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/**
 * What the participating agencies do to a running case besides editing sections: the shelter
 * ends a placement, migration starts the reflection period. Both go through CasesService.mutate,
 * the one authorize-audit-commit path.
 */
@Injectable()
export class CaseProcessesService {
  constructor(
    private readonly cases: CasesService,
    private readonly access: AccessService,
    private readonly sections: CaseSectionsStore,
    private readonly audit: AuditService,
    private readonly deadlines: DeadlinesService,
  ) {}

  endPlacement(principal: Principal, caseId: string, meta: RequestMeta): Promise<{ caseId: string; organisationId: string; bedsAvailable: number }> {
    return this.cases.mutate(
      principal,
      caseId,
      meta,
      { action: AuditAction.PlacementEnd },
      this.cases.requireAction(CaseAction.EndPlacement),
      async (manager, loaded) => {
        const [ended]: [unknown[], number] = await manager.query(
          `UPDATE participation SET holds_bed = false WHERE case_id = $1 AND organisation_id = $2 AND purpose = $3 AND revoked_at IS NULL AND holds_bed RETURNING id`,
          [caseId, principal.organisationId, Purpose.Shelter],
        );
        if (ended.length === 0) return Problem.conflict('no-placement', 'The victim has no placement in your centre in this case');
        await this.cases.releaseBedsOf(manager, [principal.organisationId]);
        const beds: Array<{ beds_available: number }> = await manager.query(`SELECT beds_available FROM organisation WHERE id = $1`, [
          principal.organisationId,
        ]);
        await this.audit.record(manager, {
          action: AuditAction.PlacementEnd,
          outcome: 'allowed',
          actor: principal,
          caseId,
          legalBasis: this.access.legalBasis(principal, loaded, [Section.Care]),
          meta,
        });
        return { caseId, organisationId: principal.organisationId, bedsAvailable: beds[0]!.beds_available };
      },
    );
  }

  startReflectionPeriod(principal: Principal, caseId: string, startDate: string, meta: RequestMeta): Promise<SectionView> {
    return this.cases.mutate(
      principal,
      caseId,
      meta,
      { action: AuditAction.ReflectionPeriodStart, sections: [Section.Immigration] },
      this.cases.requireAction(CaseAction.StartReflectionPeriod),
      async (manager, loaded) => {
        const current = (await this.sections.read(manager, caseId, [Section.Immigration], { lock: true })).get(Section.Immigration)!;
        const end = reflectionPeriodEnd(startDate, loaded.country as Country);
        const data = { ...current.data, residenceStatus: 'reflection_period', reflectionPeriod: { start: startDate, end } };
        const version = current.version + 1;
        await this.sections.write(manager, caseId, Section.Immigration, data, version, principal.userId);
        await manager.query(`UPDATE "case" SET updated_at = now() WHERE id = $1`, [caseId]);
        const participants = [...new Set(loaded.participations.map((p) => p.organisationId))];
        await this.deadlines.scheduleReflectionPeriod(manager, { caseId, endsAt: new Date(`${end}T00:00:00Z`), organisationIds: participants });
        await this.audit.record(manager, {
          action: AuditAction.ReflectionPeriodStart,
          outcome: 'allowed',
          actor: principal,
          caseId,
          sections: [Section.Immigration],
          legalBasis: this.access.legalBasis(principal, loaded, [Section.Immigration]),
          meta,
        });
        return { ...data, version };
      },
    );
  }
}

import { Injectable } from '@nestjs/common';
import { CaseAction } from '../access/case-ability.factory';
import { AccessService } from '../access/access.service';
import { Purpose, Section } from '../access/policy';
import { AuditAction } from '../audit/audit-action';
import type { Principal, RequestMeta } from '../access/principal';
import { CaseChangesService } from '../cases/case-changes.service';
import { CaseCommand } from '../cases/case-command';
import type { SectionView } from '../cases/cases.service';
import { Problem } from '../common/problem';
import { Country } from '../access/organisation-type';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { ParticipationRepository } from './participation.repository';

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
 * ends a placement, migration starts the reflection period. Both are CaseCommands.
 */
@Injectable()
export class CaseProcessesService {
  constructor(
    private readonly command: CaseCommand,
    private readonly access: AccessService,
    private readonly changes: CaseChangesService,
    private readonly participations: ParticipationRepository,
    private readonly deadlines: DeadlinesService,
  ) {}

  endPlacement(principal: Principal, caseId: string, meta: RequestMeta): Promise<{ caseId: string; organisationId: string; bedsAvailable: number }> {
    return this.command.run({
      principal,
      caseId,
      meta,
      action: AuditAction.PlacementEnd,
      authorize: (ability, loaded) => {
        // Allowed but for the bed (the placement has ended, or never began): the case's state, not the user's rights, says no.
        const placed = { ...loaded, participations: loaded.participations.map((p) => (p.purpose === Purpose.Shelter ? { ...p, holdsBed: true } : p)) };
        if (!this.access.can(ability, CaseAction.EndPlacement, loaded) && this.access.can(ability, CaseAction.EndPlacement, placed)) {
          return Problem.conflict('no-placement', 'The victim has no placement in your centre in this case');
        }
        return this.command.requireAction(CaseAction.EndPlacement)(ability, loaded);
      },
      basis: [Section.Care],
      work: async ({ manager }) => {
        const bedsAvailable = await this.participations.endPlacement(manager, caseId, principal.organisationId);
        if (bedsAvailable === undefined) return Problem.conflict('no-placement', 'The victim has no placement in your centre in this case');
        return { result: { caseId, organisationId: principal.organisationId, bedsAvailable } };
      },
    });
  }

  startReflectionPeriod(principal: Principal, caseId: string, startDate: string, meta: RequestMeta): Promise<SectionView> {
    return this.command.run({
      principal,
      caseId,
      meta,
      action: AuditAction.ReflectionPeriodStart,
      sections: [Section.Immigration],
      authorize: this.command.requireAction(CaseAction.StartReflectionPeriod),
      work: async ({ manager, loaded }) => {
        const end = reflectionPeriodEnd(startDate, loaded.country as Country);
        const view = await this.changes.replaceSection(manager, caseId, Section.Immigration, principal, (current) => ({
          ...current,
          residenceStatus: 'reflection_period',
          reflectionPeriod: { start: startDate, end },
        }));
        const participants = [...new Set(loaded.participations.map((p) => p.organisationId))];
        await this.deadlines.scheduleReflectionPeriod(manager, { caseId, endsAt: new Date(`${end}T00:00:00Z`), organisationIds: participants });
        return { result: view };
      },
    });
  }
}

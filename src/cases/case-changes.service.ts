import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CaseAction } from '../access/case-ability.factory';
import { Section } from '../access/policy';
import type { Principal, RequestMeta } from '../access/principal';
import { AuditAction } from '../audit/audit-action';
import { Problem } from '../common/problem';
import { IdentityMatchingService } from '../matching/identity-matching.service';
import { type DomainEvent, DomainEventType } from '../outbox/domain-event';
import { CaseCommand } from './case-command';
import { CaseLifecycle } from './case-lifecycle';
import { CaseRepository } from './case.repository';
import { CaseSectionsStore } from './case-sections.store';
import { nationalityOf, type SectionView } from './cases.service';
import { mergeSection, type SectionData } from './sections/sections';

/** Edits of a case's sections, each one CaseCommand (closing: CaseClosureService). */
@Injectable()
export class CaseChangesService {
  constructor(
    private readonly command: CaseCommand,
    private readonly cases: CaseRepository,
    private readonly sections: CaseSectionsStore,
    private readonly lifecycle: CaseLifecycle,
    private readonly matching: IdentityMatchingService,
  ) {}

  /**
   * `acknowledgeRelocation`: the caller knows that marking a placed victim as a minor leaves them
   * at a centre that takes no minors; without it that change is refused (422).
   */
  updateSection(
    principal: Principal,
    caseId: string,
    section: Section,
    version: number,
    patch: SectionData,
    meta: RequestMeta,
    options: { acknowledgeRelocation?: boolean } = {},
  ): Promise<SectionView> {
    return this.command.run({
      principal,
      caseId,
      meta,
      action: AuditAction.CaseSectionUpdate,
      sections: [section],
      authorize: this.command.requireAction(CaseAction.Update, section),
      work: async ({ manager, loaded }) => {
        const current = (await this.sections.read(manager, caseId, [section], { lock: true })).get(section);
        if (!current) throw new Error(`section ${section} of case ${caseId} is missing`);
        if (current.version !== version) {
          return Problem.conflict(
            'stale-version',
            `The ${section} section has changed since version ${version}; it is now at version ${current.version}. Read it again and retry.`,
          );
        }
        const merged = mergeSection(section, current.data, patch);
        const adultCentres =
          section === Section.Summary && merged.minor === true && current.data.minor !== true ? await this.lifecycle.adultOnlyPlacements(manager, caseId) : [];
        const events: DomainEvent[] = [];
        if (adultCentres.length > 0) {
          if (!options.acknowledgeRelocation) {
            return Problem.unprocessable(
              'minor-at-adult-centre',
              'The victim is placed at a centre that takes no minors; send acknowledgeRelocation: true to record it, and the centre and the lead organisation are told to relocate',
            );
          }
          events.push({
            type: DomainEventType.MinorAtAdultCentre,
            caseId,
            organisationIds: [...new Set([...adultCentres, loaded.leadOrganisationId])],
            actorUserId: principal.userId,
          });
        }
        await this.writeSection(manager, caseId, section, merged, version + 1, principal.userId);
        return { result: { ...merged, version: version + 1 }, events };
      },
    });
  }

  /**
   * A section the platform sets through its own endpoint (e.g. the reflection period), inside the
   * caller's CaseCommand: the next version of the section, built from the current one.
   */
  async replaceSection(
    manager: EntityManager,
    caseId: string,
    section: Section,
    principal: Principal,
    build: (current: SectionData) => SectionData,
  ): Promise<SectionView> {
    const current = (await this.sections.read(manager, caseId, [section], { lock: true })).get(section);
    if (!current) throw new Error(`section ${section} of case ${caseId} is missing`);
    const data = build(current.data);
    const version = current.version + 1;
    await this.writeSection(manager, caseId, section, data, version, principal.userId);
    return { ...data, version };
  }

  private async writeSection(manager: EntityManager, caseId: string, section: Section, data: SectionData, version: number, userId: string): Promise<void> {
    await this.sections.write(manager, caseId, section, data, version, userId);
    if (section === Section.Identity) {
      await this.matching.reindex(manager, caseId, data);
      await this.lifecycle.nationalityRecorded(manager, { caseId, nationality: nationalityOf(data) });
    }
    if (section === Section.Summary) await this.cases.setSummaryColumns(manager, caseId, data);
    else await this.cases.touch(manager, caseId);
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Principal, RequestMeta } from '../access/principal';
import { Section } from '../access/policy';
import { subjectReportRefusal } from '../access/subject-report.rule';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import { CaseAccessHistory } from '../audit/case-access-history';
import { CaseSectionsStore } from '../cases/case-sections.store';
import { Problem } from '../common/problem';
import { Organisation } from '../organisations/organisation.entity';
import { buildSubjectReport, reportLanguage, type SubjectReport } from './subject-report';

/**
 * The victim's subject report: the same authorization (AccessService's abilities) and the same
 * fail-closed audit as any read of the case file, then everything the caller's organisation may
 * read and every recorded access to the file. The event of this very request is on the trail
 * before the history is read, so the report lists itself.
 */
@Injectable()
export class SubjectReportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Organisation) private readonly organisations: Repository<Organisation>,
    private readonly access: AccessService,
    private readonly sections: CaseSectionsStore,
    private readonly audit: AuditService,
    private readonly history: CaseAccessHistory,
  ) {}

  async report(principal: Principal, caseId: string, meta: RequestMeta, language: { requested?: string; acceptLanguage?: string }): Promise<SubjectReport> {
    const ability = this.access.abilityFor(principal);
    const loaded = await this.access.loadCase(this.dataSource.manager, caseId);
    const refusal = subjectReportRefusal(this.access, ability, principal, loaded);
    if (refusal || !loaded) {
      await this.audit.recordNow({ action: AuditAction.CaseSubjectReport, outcome: 'denied', actor: principal, caseId, meta });
      throw refusal === 403 ? Problem.forbidden("Only the case's lead organisation produces the victim's report") : Problem.notFound('Case not found');
    }
    const readable = this.access.readableSections(ability, loaded);
    await this.audit.recordNow({
      action: AuditAction.CaseSubjectReport,
      outcome: 'allowed',
      actor: principal,
      caseId,
      caseOwner: loaded,
      sections: readable,
      legalBasis: this.access.legalBasis(principal, loaded, readable),
      meta,
    });
    const [stored, history, lead] = await Promise.all([
      this.sections.read(this.dataSource.manager, caseId, readable),
      this.history.forCase(caseId),
      this.organisations.findOneBy({ id: loaded.leadOrganisationId }),
    ]);
    const summary = stored.get(Section.Summary)?.data ?? {};
    return buildSubjectReport(
      {
        reference: loaded.reference,
        country: loaded.country,
        status: loaded.status,
        createdAt: loaded.createdAt,
        leadOrganisationName: lead?.name ?? '',
        sections: readable.flatMap((section) => {
          const entry = stored.get(section);
          return entry ? [{ section, data: entry.data as Record<string, unknown> }] : [];
        }),
        accesses: history.accesses,
        truncated: history.truncated,
        generatedAt: new Date(),
      },
      reportLanguage(language.requested, summary.languages, language.acceptLanguage),
    );
  }
}

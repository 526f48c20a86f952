import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AccessService } from '../access/access.service';
import { CaseAction } from '../access/case-ability.factory';
import type { Principal, RequestMeta } from '../access/principal';
import { Section } from '../access/policy';
import { subjectReportRefusal } from '../access/subject-report.rule';
import { AuditAction } from '../audit/audit-action';
import { CaseAccessHistory } from '../audit/case-access-history';
import { CASE_NOT_FOUND } from '../cases/case-command';
import { CasesService } from '../cases/cases.service';
import { Problem } from '../common/problem';
import { DocumentsService } from '../documents/documents.service';
import { NotesService } from '../notes/notes.service';
import { Organisation } from '../organisations/organisation.entity';
import { buildSubjectReport, reportLanguage, type SubjectReport } from './subject-report';

/**
 * The victim's subject report, read through CasesService.readCase: the same authorization and
 * fail-closed audit as any read of the case file, then everything the caller's organisation may
 * read and every recorded access to the file. The event of this very request is on the trail
 * before the history is read, so the report lists itself.
 */
@Injectable()
export class SubjectReportService {
  constructor(
    @InjectRepository(Organisation) private readonly organisations: Repository<Organisation>,
    private readonly cases: CasesService,
    private readonly access: AccessService,
    private readonly history: CaseAccessHistory,
    private readonly notes: NotesService,
    private readonly documents: DocumentsService,
  ) {}

  report(principal: Principal, caseId: string, meta: RequestMeta, language: { requested?: string; acceptLanguage?: string }): Promise<SubjectReport> {
    return this.cases.readCase(
      {
        principal,
        caseId,
        meta,
        action: AuditAction.CaseSubjectReport,
        authorize: (ability, loaded) => {
          const refusal = subjectReportRefusal(this.access, ability, principal, loaded);
          if (refusal === 403) return Problem.forbidden("Only the case's lead organisation produces the victim's report");
          return refusal === 404 ? CASE_NOT_FOUND() : undefined;
        },
        sections: this.cases.readable,
        // The history read below must hold this very request's event.
        auditFirst: true,
      },
      async ({ manager, ability, loaded }) => {
        const readable = this.access.readableSections(ability, loaded);
        const [stored, history, lead, notes, documents] = await Promise.all([
          this.cases.storedSections(manager, caseId, readable),
          this.history.forCase(caseId),
          this.organisations.findOneBy({ id: loaded.leadOrganisationId }),
          // The notes the caller's organisation may read; the documents of the sections it may read (names only).
          this.access.can(ability, CaseAction.ReadNotes, loaded) ? this.notes.readableNotes(manager, caseId, principal.organisationId) : Promise.resolve([]),
          this.documents.namesOf(
            manager,
            caseId,
            readable.filter((section) => section !== Section.Summary),
          ),
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
              return entry
                ? [{ section, data: entry.data as Record<string, unknown>, documents: documents.filter((document) => document.section === section) }]
                : [];
            }),
            notes: notes.map((note) => ({
              at: new Date(note.contactAt ?? note.createdAt),
              kind: note.kind,
              author: note.author.name,
              organisation: note.organisation.name,
              body: note.body,
            })),
            accesses: history.accesses,
            truncated: history.truncated,
            generatedAt: new Date(),
          },
          reportLanguage(language.requested, summary.languages, language.acceptLanguage),
        );
      },
    );
  }
}

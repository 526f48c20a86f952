import type { CaseAccess } from '../audit/case-access-history';
import { isReportLanguage, MESSAGES, type ReportLanguage, REPORT_LANGUAGES } from './subject-report.i18n';

/** What the report shows, already in words: the renderers (HTML, PDF) only lay it out. */
export interface SubjectReport {
  language: ReportLanguage;
  title: string;
  intro: string;
  facts: Array<{ label: string; value: string }>;
  dataHeading: string;
  dataIntro: string;
  sections: Array<{ title: string; fields: Array<{ label: string; value: string }>; documents: string[] }>;
  documentsLabel: string;
  notesHeading: string;
  notesIntro: string;
  notes: Array<{ when: string; kind: string; who: string; organisation: string; body: string }>;
  noNotes: string;
  accessHeading: string;
  accessIntro: string;
  accessColumns: { when: string; who: string; organisation: string; what: string; sections: string; basis: string };
  accesses: Array<{ when: string; who: string; organisation: string; what: string; sections: string; basis: string }>;
  noAccess: string;
  truncatedNote: string | null;
  generated: string;
}

export interface SubjectReportFacts {
  reference: string;
  country: string;
  status: string;
  createdAt: Date;
  leadOrganisationName: string;
  /** The readable sections, in the policy's order, with their stored fields. */
  sections: Array<{ section: string; data: Record<string, unknown>; documents: Array<{ name: string; createdAt: Date }> }>;
  /** The notes and contacts the producing organisation may read, oldest first. */
  notes: Array<{ at: Date; kind: string; author: string; organisation: string; body: string }>;
  accesses: CaseAccess[];
  truncated: boolean;
  generatedAt: Date;
}

/**
 * The report's language: asked for explicitly, else the first of the victim's languages the
 * platform speaks (the report is for the victim), else the reader's Accept-Language, else English.
 */
export function reportLanguage(requested: string | undefined, victimLanguages: unknown, acceptLanguage: string | undefined): ReportLanguage {
  if (isReportLanguage(requested)) return requested;
  if (Array.isArray(victimLanguages)) {
    const spoken = victimLanguages.find(isReportLanguage);
    if (spoken) return spoken;
  }
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase().slice(0, 2);
    if (isReportLanguage(tag)) return tag;
  }
  return REPORT_LANGUAGES[0];
}

function utc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')}`;
}

/** A stored field value as text: lists joined, nested records as "key: value" pairs, booleans in words. */
function formatValue(value: unknown, yes: string, no: string, fieldLabel: (key: string) => string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? yes : no;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    return value
      .map((item) => formatValue(item, yes, no, fieldLabel))
      .filter((text) => text !== '')
      .join(typeof value[0] === 'object' ? ' | ' : ', ');
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => [key, formatValue(inner, yes, no, fieldLabel)] as const)
      .filter(([, text]) => text !== '')
      .map(([key, text]) => `${fieldLabel(key)}: ${text}`)
      .join('; ');
  }
  return '';
}

export function buildSubjectReport(facts: SubjectReportFacts, language: ReportLanguage): SubjectReport {
  const m = MESSAGES[language];
  const fieldLabel = (key: string): string => m.fields[key] ?? key;
  const section = (name: string): string => m.sections[name] ?? name;
  const report: SubjectReport = {
    language,
    title: m.title,
    intro: m.intro,
    facts: [
      { label: m.reference, value: facts.reference },
      { label: m.country, value: facts.country },
      { label: m.status, value: m.statuses[facts.status] ?? facts.status },
      { label: m.openedOn, value: facts.createdAt.toISOString().slice(0, 10) },
      { label: m.leadOrganisation, value: facts.leadOrganisationName },
    ],
    dataHeading: m.dataHeading,
    dataIntro: m.dataIntro,
    sections: facts.sections.map(({ section: name, data, documents }) => {
      const fields = Object.entries(data)
        .filter(([key]) => key !== 'version')
        .map(([key, value]) => ({ label: fieldLabel(key), value: formatValue(value, m.yes, m.no, fieldLabel) }))
        .filter((field) => field.value !== '');
      return {
        title: section(name),
        fields: fields.length > 0 ? fields : [{ label: '', value: m.empty }],
        documents: documents.map((document) => `${document.name} (${document.createdAt.toISOString().slice(0, 10)})`),
      };
    }),
    documentsLabel: m.documentsLabel,
    notesHeading: m.notesHeading,
    notesIntro: m.notesIntro,
    notes: facts.notes.map((note) => ({
      when: utc(note.at),
      kind: m.noteKinds[note.kind] ?? note.kind,
      who: note.author,
      organisation: note.organisation,
      body: note.body,
    })),
    noNotes: m.noNotes,
    accessHeading: m.accessHeading,
    accessIntro: m.accessIntro,
    accessColumns: { when: m.when, who: m.who, organisation: m.organisation, what: m.what, sections: m.sectionsColumn, basis: m.basis },
    accesses: facts.accesses.map((access) => ({
      when: utc(access.at),
      who: access.actorName ?? m.unknownPerson,
      organisation: access.organisationName ?? '',
      what: `${m.actions[access.action] ?? access.action}${access.outcome === 'denied' ? ` (${m.refused})` : ''}`,
      sections: (access.sections ?? []).map(section).join(', '),
      basis: (access.legalBasis ?? '')
        .split(',')
        .filter((basis) => basis !== '')
        .map((basis) => m.bases[basis] ?? basis)
        .join(', '),
    })),
    noAccess: m.noAccess,
    truncatedNote: facts.truncated ? m.truncated : null,
    generated: `${m.generatedOn} ${utc(facts.generatedAt)} UTC`,
  };
  return report;
}

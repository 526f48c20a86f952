import { buildSubjectReport, reportLanguage, type SubjectReportFacts } from './subject-report';
import { escapeHtml, renderSubjectReportHtml } from './subject-report.html';

const facts = (overrides: Partial<SubjectReportFacts> = {}): SubjectReportFacts => ({
  reference: 'BE-2026-000042',
  country: 'BE',
  status: 'open',
  createdAt: new Date('2026-11-02T09:00:00Z'),
  leadOrganisationName: 'Police Antwerpen',
  sections: [
    { section: 'summary', data: { exploitationTypes: ['labour'], minor: false, version: 3 }, documents: [] },
    {
      section: 'identity',
      data: { fullName: 'Ana <b>Pop</b>', documents: [{ type: 'passport', number: 'X1' }], contact: { phone: '+32 1' } },
      documents: [{ name: 'passport <scan>.pdf', createdAt: new Date('2026-11-03T09:00:00Z') }],
    },
  ],
  notes: [{ at: new Date('2026-11-03T11:00:00Z'), kind: 'contact', author: 'Jan Peeters', organisation: 'Police Antwerpen', body: 'Called <Ana>' }],
  accesses: [
    {
      at: new Date('2026-11-03T10:15:00Z'),
      action: 'case.read',
      outcome: 'allowed',
      actorName: 'Jan Peeters',
      actorRole: 'officer',
      organisationName: 'Police Antwerpen',
      sections: ['summary', 'identity'],
      legalBasis: 'consent,lead',
    },
    {
      at: new Date('2026-11-04T08:00:00Z'),
      action: 'case.read',
      outcome: 'denied',
      actorName: 'Eve',
      actorRole: 'officer',
      organisationName: 'Politie NL',
      sections: null,
      legalBasis: null,
    },
  ],
  truncated: false,
  generatedAt: new Date('2026-12-02T10:00:00Z'),
  ...overrides,
});

describe('subject report', () => {
  it('chooses the language asked for, else the victim’s, else the reader’s, else English', () => {
    expect(reportLanguage('de', ['nl'], 'fr')).toBe('de');
    expect(reportLanguage(undefined, ['ro', 'fr'], 'nl-BE,nl;q=0.9')).toBe('fr');
    expect(reportLanguage(undefined, ['ro'], 'nl-BE,nl;q=0.9')).toBe('nl');
    expect(reportLanguage(undefined, undefined, undefined)).toBe('en');
  });

  it('translates codes and flattens stored values, leaving out the version', () => {
    const report = buildSubjectReport(facts(), 'nl');
    expect(report.sections[0]).toEqual({
      title: 'Samenvatting',
      fields: [
        { label: 'Vormen van uitbuiting', value: 'labour' },
        { label: 'Minderjarig', value: 'nee' },
      ],
      documents: [],
    });
    expect(report.sections[1]!.documents).toEqual(['passport <scan>.pdf (2026-11-03)']);
    expect(report.notes).toEqual([{ when: '2026-11-03 11:00', kind: 'contact', who: 'Jan Peeters', organisation: 'Police Antwerpen', body: 'Called <Ana>' }]);
    expect(report.notesHeading).toBe('Notities en contacten');
    expect(report.sections[1]!.fields).toContainEqual({ label: 'Identiteitsdocumenten', value: 'type: passport; number: X1' });
    expect(report.accesses[0]).toEqual({
      when: '2026-11-03 10:15',
      who: 'Jan Peeters',
      organisation: 'Police Antwerpen',
      what: 'las het dossier',
      sections: 'Samenvatting, Identiteit',
      basis: 'uw toestemming, verantwoordelijke organisatie',
    });
    expect(report.accesses[1]!.what).toBe('las het dossier (geweigerd)');
  });

  it('escapes every stored value in the HTML and names no one in the title', () => {
    const html = renderSubjectReportHtml(buildSubjectReport(facts(), 'fr'));
    expect(html).toContain('Ana &lt;b&gt;Pop&lt;/b&gt;');
    expect(html).not.toContain('<b>Pop');
    expect(html).toContain('<li>passport &lt;scan&gt;.pdf (2026-11-03)</li>');
    expect(html).toContain('Called &lt;Ana&gt;');
    expect(html).toContain('<h2>Notes et contacts</h2>');
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<title>Passage</title>');
    expect(html).not.toMatch(/<script/i);
    expect(escapeHtml(`"'&`)).toBe('&quot;&#39;&amp;');
  });
});

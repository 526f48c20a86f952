import { DomainEventType } from '../outbox/domain-event';
import { LANGUAGES } from '../users/user.entity';
import { notificationEmail, notificationTitle } from './messages';

describe('notification e-mails', () => {
  const caseId = '7b6f1c2e-3d4a-4b5c-8d9e-0f1a2b3c4d5e';
  const referralId = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
  const reference = 'BE-2026-000042';

  it.each([
    ['en', 'Referral accepted for case', 'Open the referral', 'This message carries no personal data'],
    ['nl', 'Doorverwijzing aanvaard voor dossier', 'Open de doorverwijzing', 'Dit bericht bevat geen persoonsgegevens'],
    ['fr', 'Orientation acceptée pour le dossier', "Ouvrir l'orientation", 'Ce message ne contient aucune donnée personnelle'],
    ['de', 'Weiterleitung angenommen für Fall', 'Weiterleitung öffnen', 'Diese Nachricht enthält keine personenbezogenen Daten'],
  ] as const)('speaks %s and links a referral event to the referral’s page', (language, title, open, footer) => {
    const email = notificationEmail(language, DomainEventType.ReferralAccepted, reference, 'https://passage.test', { caseId, referralId });
    expect(email.subject).toBe(`Passage: ${title} ${reference}`);
    expect(email.text).toContain(`${open}: https://passage.test/referrals/${referralId}`);
    expect(email.text).not.toContain('/cases/');
    expect(email.text).toContain(footer);
  });

  it('links an event without a referral to the case’s page', () => {
    const email = notificationEmail('de', DomainEventType.CaseClosed, reference, 'https://passage.test', { caseId, referralId: null });
    expect(email.text).toContain(`Fall öffnen: https://passage.test/cases/${caseId}`);
  });

  it('has a title for every event type in every language, each naming the case reference and differing from English but for the reference', () => {
    for (const type of Object.values(DomainEventType)) {
      const english = notificationTitle('en', type, reference);
      expect(english).toContain(reference);
      for (const language of LANGUAGES.filter((other) => other !== 'en')) {
        const title = notificationTitle(language, type, reference);
        expect(title).toContain(reference);
        expect(title).not.toBe(english);
      }
    }
  });
});

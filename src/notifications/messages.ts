import type { Language } from '../users/user.entity';
import { DomainEventType } from '../outbox/domain-event';

type Title = (reference: string) => string;

/** Inbox titles and e-mail subjects: the kind of event and the case reference, nothing about the person. */
const TITLES: Record<Language, Record<DomainEventType, Title>> = {
  en: {
    [DomainEventType.ReferralReceived]: (r) => `Referral received for case ${r}`,
    [DomainEventType.ReferralAccepted]: (r) => `Referral accepted for case ${r}`,
    [DomainEventType.ReferralDeclined]: (r) => `Referral declined for case ${r}`,
    [DomainEventType.ReferralWithdrawn]: (r) => `Referral withdrawn for case ${r}`,
    [DomainEventType.ReferralExpired]: (r) => `Referral expired without an answer for case ${r}`,
    [DomainEventType.ReferralReminder]: (r) => `Referral for case ${r} awaits your answer`,
    [DomainEventType.ConsentWithdrawn]: (r) => `Consent withdrawn for case ${r}`,
    [DomainEventType.CaseClosed]: (r) => `Case ${r} closed`,
    [DomainEventType.CaseClosureRequested]: (r) => `Closing case ${r} awaits your approval`,
    [DomainEventType.CaseClosureReminder]: (r) => `Closing case ${r} still awaits your approval`,
    [DomainEventType.CaseClosureApproved]: (r) => `Closing case ${r} approved`,
    [DomainEventType.CaseClosureRejected]: (r) => `Closing case ${r} rejected`,
    [DomainEventType.CaseReopened]: (r) => `Case ${r} reopened`,
    [DomainEventType.BreakGlassUsed]: (r) => `Emergency access used on case ${r}`,
    [DomainEventType.BreakGlassReviewDue]: (r) => `Emergency access on case ${r} awaits review`,
    [DomainEventType.BreakGlassNotJustified]: (r) => `A supervisor judged an emergency access to case ${r} not justified`,
    [DomainEventType.ReflectionPeriodEnding]: (r) => `Reflection period for case ${r} ends soon`,
    [DomainEventType.ReflectionPeriodEnded]: (r) => `Reflection period for case ${r} has ended`,
    [DomainEventType.TaskDue]: (r) => `A task on case ${r} is due`,
    [DomainEventType.MinorAtAdultCentre]: (r) => `The victim of case ${r} is a minor at a centre that takes no minors: relocate`,
  },
  nl: {
    [DomainEventType.ReferralReceived]: (r) => `Doorverwijzing ontvangen voor dossier ${r}`,
    [DomainEventType.ReferralAccepted]: (r) => `Doorverwijzing aanvaard voor dossier ${r}`,
    [DomainEventType.ReferralDeclined]: (r) => `Doorverwijzing geweigerd voor dossier ${r}`,
    [DomainEventType.ReferralWithdrawn]: (r) => `Doorverwijzing ingetrokken voor dossier ${r}`,
    [DomainEventType.ReferralExpired]: (r) => `Doorverwijzing verlopen zonder antwoord voor dossier ${r}`,
    [DomainEventType.ReferralReminder]: (r) => `Doorverwijzing voor dossier ${r} wacht op uw antwoord`,
    [DomainEventType.ConsentWithdrawn]: (r) => `Toestemming ingetrokken voor dossier ${r}`,
    [DomainEventType.CaseClosed]: (r) => `Dossier ${r} afgesloten`,
    [DomainEventType.CaseClosureRequested]: (r) => `Afsluiting van dossier ${r} wacht op uw goedkeuring`,
    [DomainEventType.CaseClosureReminder]: (r) => `Afsluiting van dossier ${r} wacht nog steeds op uw goedkeuring`,
    [DomainEventType.CaseClosureApproved]: (r) => `Afsluiting van dossier ${r} goedgekeurd`,
    [DomainEventType.CaseClosureRejected]: (r) => `Afsluiting van dossier ${r} geweigerd`,
    [DomainEventType.CaseReopened]: (r) => `Dossier ${r} heropend`,
    [DomainEventType.BreakGlassUsed]: (r) => `Noodtoegang gebruikt voor dossier ${r}`,
    [DomainEventType.BreakGlassReviewDue]: (r) => `Noodtoegang voor dossier ${r} wacht op beoordeling`,
    [DomainEventType.BreakGlassNotJustified]: (r) => `Een supervisor oordeelde een noodtoegang tot dossier ${r} niet gerechtvaardigd`,
    [DomainEventType.ReflectionPeriodEnding]: (r) => `Bedenktijd voor dossier ${r} loopt binnenkort af`,
    [DomainEventType.ReflectionPeriodEnded]: (r) => `Bedenktijd voor dossier ${r} is afgelopen`,
    [DomainEventType.TaskDue]: (r) => `Een taak voor dossier ${r} vervalt`,
    [DomainEventType.MinorAtAdultCentre]: (r) => `Het slachtoffer van dossier ${r} is minderjarig in een centrum zonder minderjarigen: verhuizen`,
  },
  fr: {
    [DomainEventType.ReferralReceived]: (r) => `Orientation reçue pour le dossier ${r}`,
    [DomainEventType.ReferralAccepted]: (r) => `Orientation acceptée pour le dossier ${r}`,
    [DomainEventType.ReferralDeclined]: (r) => `Orientation refusée pour le dossier ${r}`,
    [DomainEventType.ReferralWithdrawn]: (r) => `Orientation retirée pour le dossier ${r}`,
    [DomainEventType.ReferralExpired]: (r) => `Orientation expirée sans réponse pour le dossier ${r}`,
    [DomainEventType.ReferralReminder]: (r) => `L'orientation du dossier ${r} attend votre réponse`,
    [DomainEventType.ConsentWithdrawn]: (r) => `Consentement retiré pour le dossier ${r}`,
    [DomainEventType.CaseClosed]: (r) => `Dossier ${r} clôturé`,
    [DomainEventType.CaseClosureRequested]: (r) => `La clôture du dossier ${r} attend votre approbation`,
    [DomainEventType.CaseClosureReminder]: (r) => `La clôture du dossier ${r} attend toujours votre approbation`,
    [DomainEventType.CaseClosureApproved]: (r) => `Clôture du dossier ${r} approuvée`,
    [DomainEventType.CaseClosureRejected]: (r) => `Clôture du dossier ${r} refusée`,
    [DomainEventType.CaseReopened]: (r) => `Dossier ${r} rouvert`,
    [DomainEventType.BreakGlassUsed]: (r) => `Accès d'urgence utilisé sur le dossier ${r}`,
    [DomainEventType.BreakGlassReviewDue]: (r) => `Accès d'urgence sur le dossier ${r} à examiner`,
    [DomainEventType.BreakGlassNotJustified]: (r) => `Un superviseur a jugé un accès d'urgence au dossier ${r} non justifié`,
    [DomainEventType.ReflectionPeriodEnding]: (r) => `Le délai de réflexion du dossier ${r} se termine bientôt`,
    [DomainEventType.ReflectionPeriodEnded]: (r) => `Le délai de réflexion du dossier ${r} est terminé`,
    [DomainEventType.TaskDue]: (r) => `Une tâche du dossier ${r} arrive à échéance`,
    [DomainEventType.MinorAtAdultCentre]: (r) => `La victime du dossier ${r} est mineure dans un centre sans mineurs : à reloger`,
  },
  de: {
    [DomainEventType.ReferralReceived]: (r) => `Weiterleitung erhalten für Fall ${r}`,
    [DomainEventType.ReferralAccepted]: (r) => `Weiterleitung angenommen für Fall ${r}`,
    [DomainEventType.ReferralDeclined]: (r) => `Weiterleitung abgelehnt für Fall ${r}`,
    [DomainEventType.ReferralWithdrawn]: (r) => `Weiterleitung zurückgezogen für Fall ${r}`,
    [DomainEventType.ReferralExpired]: (r) => `Weiterleitung ohne Antwort abgelaufen für Fall ${r}`,
    [DomainEventType.ReferralReminder]: (r) => `Weiterleitung für Fall ${r} wartet auf Ihre Antwort`,
    [DomainEventType.ConsentWithdrawn]: (r) => `Einwilligung widerrufen für Fall ${r}`,
    [DomainEventType.CaseClosed]: (r) => `Fall ${r} abgeschlossen`,
    [DomainEventType.CaseClosureRequested]: (r) => `Der Abschluss von Fall ${r} wartet auf Ihre Zustimmung`,
    [DomainEventType.CaseClosureReminder]: (r) => `Der Abschluss von Fall ${r} wartet noch auf Ihre Zustimmung`,
    [DomainEventType.CaseClosureApproved]: (r) => `Abschluss von Fall ${r} genehmigt`,
    [DomainEventType.CaseClosureRejected]: (r) => `Abschluss von Fall ${r} abgelehnt`,
    [DomainEventType.CaseReopened]: (r) => `Fall ${r} wieder eröffnet`,
    [DomainEventType.BreakGlassUsed]: (r) => `Notfallzugriff auf Fall ${r} genutzt`,
    [DomainEventType.BreakGlassReviewDue]: (r) => `Notfallzugriff auf Fall ${r} wartet auf Prüfung`,
    [DomainEventType.BreakGlassNotJustified]: (r) => `Eine Aufsicht hat einen Notfallzugriff auf Fall ${r} als nicht gerechtfertigt beurteilt`,
    [DomainEventType.ReflectionPeriodEnding]: (r) => `Bedenkzeit für Fall ${r} endet bald`,
    [DomainEventType.ReflectionPeriodEnded]: (r) => `Bedenkzeit für Fall ${r} ist abgelaufen`,
    [DomainEventType.TaskDue]: (r) => `Eine Aufgabe zu Fall ${r} ist fällig`,
    [DomainEventType.MinorAtAdultCentre]: (r) => `Das Opfer in Fall ${r} ist minderjährig in einer Einrichtung ohne Minderjährige: verlegen`,
  },
};

type ActorTitle = (reference: string, organisation: string) => string;

/** Inbox titles that say who did what (API.md, Readable context), for events a user of another organisation caused. */
const ACTOR_TITLES: Record<Language, Partial<Record<DomainEventType, ActorTitle>>> = {
  en: {
    [DomainEventType.ReferralReceived]: (r, o) => `${o} referred case ${r} to you`,
    [DomainEventType.ReferralAccepted]: (r, o) => `${o} accepted the referral of ${r}`,
    [DomainEventType.ReferralDeclined]: (r, o) => `${o} declined the referral of ${r}`,
    [DomainEventType.ReferralWithdrawn]: (r, o) => `${o} withdrew the referral of ${r}`,
    [DomainEventType.ConsentWithdrawn]: (r, o) => `${o} recorded that consent was withdrawn for case ${r}`,
    [DomainEventType.CaseClosed]: (r, o) => `${o} closed case ${r}`,
    [DomainEventType.CaseClosureRequested]: (r, o) => `${o} asks you to approve closing case ${r}`,
    [DomainEventType.CaseClosureApproved]: (r, o) => `${o} approved closing case ${r}`,
    [DomainEventType.CaseClosureRejected]: (r, o) => `${o} rejected closing case ${r}`,
    [DomainEventType.CaseReopened]: (r, o) => `${o} reopened case ${r}`,
    [DomainEventType.BreakGlassUsed]: (r, o) => `${o} used emergency access on case ${r}`,
  },
  nl: {
    [DomainEventType.ReferralReceived]: (r, o) => `${o} verwees dossier ${r} naar u door`,
    [DomainEventType.ReferralAccepted]: (r, o) => `${o} aanvaardde de doorverwijzing van ${r}`,
    [DomainEventType.ReferralDeclined]: (r, o) => `${o} weigerde de doorverwijzing van ${r}`,
    [DomainEventType.ReferralWithdrawn]: (r, o) => `${o} trok de doorverwijzing van ${r} in`,
    [DomainEventType.ConsentWithdrawn]: (r, o) => `${o} registreerde de intrekking van de toestemming voor dossier ${r}`,
    [DomainEventType.CaseClosed]: (r, o) => `${o} sloot dossier ${r} af`,
    [DomainEventType.CaseClosureRequested]: (r, o) => `${o} vraagt uw goedkeuring om dossier ${r} af te sluiten`,
    [DomainEventType.CaseClosureApproved]: (r, o) => `${o} keurde de afsluiting van dossier ${r} goed`,
    [DomainEventType.CaseClosureRejected]: (r, o) => `${o} weigerde de afsluiting van dossier ${r}`,
    [DomainEventType.CaseReopened]: (r, o) => `${o} heropende dossier ${r}`,
    [DomainEventType.BreakGlassUsed]: (r, o) => `${o} gebruikte noodtoegang voor dossier ${r}`,
  },
  fr: {
    [DomainEventType.ReferralReceived]: (r, o) => `${o} vous a orienté le dossier ${r}`,
    [DomainEventType.ReferralAccepted]: (r, o) => `${o} a accepté l'orientation de ${r}`,
    [DomainEventType.ReferralDeclined]: (r, o) => `${o} a refusé l'orientation de ${r}`,
    [DomainEventType.ReferralWithdrawn]: (r, o) => `${o} a retiré l'orientation de ${r}`,
    [DomainEventType.ConsentWithdrawn]: (r, o) => `${o} a enregistré le retrait du consentement pour le dossier ${r}`,
    [DomainEventType.CaseClosed]: (r, o) => `${o} a clôturé le dossier ${r}`,
    [DomainEventType.CaseClosureRequested]: (r, o) => `${o} demande votre approbation pour clôturer le dossier ${r}`,
    [DomainEventType.CaseClosureApproved]: (r, o) => `${o} a approuvé la clôture du dossier ${r}`,
    [DomainEventType.CaseClosureRejected]: (r, o) => `${o} a refusé la clôture du dossier ${r}`,
    [DomainEventType.CaseReopened]: (r, o) => `${o} a rouvert le dossier ${r}`,
    [DomainEventType.BreakGlassUsed]: (r, o) => `${o} a utilisé l'accès d'urgence sur le dossier ${r}`,
  },
  de: {
    [DomainEventType.ReferralReceived]: (r, o) => `${o} hat Ihnen Fall ${r} weitergeleitet`,
    [DomainEventType.ReferralAccepted]: (r, o) => `${o} hat die Weiterleitung von ${r} angenommen`,
    [DomainEventType.ReferralDeclined]: (r, o) => `${o} hat die Weiterleitung von ${r} abgelehnt`,
    [DomainEventType.ReferralWithdrawn]: (r, o) => `${o} hat die Weiterleitung von ${r} zurückgezogen`,
    [DomainEventType.ConsentWithdrawn]: (r, o) => `${o} hat den Widerruf der Einwilligung für Fall ${r} erfasst`,
    [DomainEventType.CaseClosed]: (r, o) => `${o} hat Fall ${r} abgeschlossen`,
    [DomainEventType.CaseClosureRequested]: (r, o) => `${o} bittet um Ihre Zustimmung zum Abschluss von Fall ${r}`,
    [DomainEventType.CaseClosureApproved]: (r, o) => `${o} hat den Abschluss von Fall ${r} genehmigt`,
    [DomainEventType.CaseClosureRejected]: (r, o) => `${o} hat den Abschluss von Fall ${r} abgelehnt`,
    [DomainEventType.CaseReopened]: (r, o) => `${o} hat Fall ${r} wieder eröffnet`,
    [DomainEventType.BreakGlassUsed]: (r, o) => `${o} hat Notfallzugriff auf Fall ${r} genutzt`,
  },
};

const LABELS: Record<Language, { event: string; case: string; open: string; openReferral: string; footer: string }> = {
  en: {
    event: 'Event',
    case: 'Case',
    open: 'Open the case',
    openReferral: 'Open the referral',
    footer: 'This message carries no personal data. Sign in to Passage to see what you are allowed to see.',
  },
  nl: {
    event: 'Gebeurtenis',
    case: 'Dossier',
    open: 'Open het dossier',
    openReferral: 'Open de doorverwijzing',
    footer: 'Dit bericht bevat geen persoonsgegevens. Meld u aan bij Passage om te zien wat u mag zien.',
  },
  fr: {
    event: 'Événement',
    case: 'Dossier',
    open: 'Ouvrir le dossier',
    openReferral: "Ouvrir l'orientation",
    footer: 'Ce message ne contient aucune donnée personnelle. Connectez-vous à Passage pour voir ce que vous êtes autorisé à voir.',
  },
  de: {
    event: 'Ereignis',
    case: 'Fall',
    open: 'Fall öffnen',
    openReferral: 'Weiterleitung öffnen',
    footer: 'Diese Nachricht enthält keine personenbezogenen Daten. Melden Sie sich bei Passage an, um zu sehen, was Sie sehen dürfen.',
  },
};

/** The inbox title; with the acting organisation's name when the event has an actor and a title that names one. */
export function notificationTitle(language: Language, type: DomainEventType, caseReference: string, actorOrganisation?: string): string {
  const byActor = actorOrganisation ? (ACTOR_TITLES[language] ?? ACTOR_TITLES.en)[type] : undefined;
  return byActor ? byActor(caseReference, actorOrganisation!) : (TITLES[language] ?? TITLES.en)[type](caseReference);
}

export interface EmailContent {
  subject: string;
  text: string;
}

/** Where an e-mail's link leads: the referral's page for a referral event, else the case's page. Ids only. */
export interface EmailLink {
  caseId: string;
  referralId?: string | null;
}

/**
 * Plain text only, in the recipient's language: the event type, the case reference and a link
 * that opens the right page of the web app (after sign-in); nothing about the person.
 */
export function notificationEmail(language: Language, type: DomainEventType, caseReference: string, publicUrl: string, link: EmailLink): EmailContent {
  const labels = LABELS[language] ?? LABELS.en;
  const title = notificationTitle(language, type, caseReference);
  const open = link.referralId ? `${labels.openReferral}: ${publicUrl}/referrals/${link.referralId}` : `${labels.open}: ${publicUrl}/cases/${link.caseId}`;
  return {
    subject: `Passage: ${title}`,
    text: [title, '', `${labels.event}: ${type}`, `${labels.case}: ${caseReference}`, open, '', labels.footer, ''].join('\n'),
  };
}

const INVITATION: Record<Language, { subject: string; intro: string; link: string; expires: string; ignore: string }> = {
  en: {
    subject: 'Passage: choose your password',
    intro: 'An administrator of your organisation has created a Passage account for you.',
    link: 'Choose your password (the link works once)',
    expires: 'The link expires on',
    ignore: 'If you did not expect this e-mail, ignore it and tell your organisation.',
  },
  nl: {
    subject: 'Passage: kies uw wachtwoord',
    intro: 'Een beheerder van uw organisatie heeft een Passage-account voor u aangemaakt.',
    link: 'Kies uw wachtwoord (de link werkt één keer)',
    expires: 'De link vervalt op',
    ignore: 'Verwachtte u deze e-mail niet, negeer hem dan en meld het aan uw organisatie.',
  },
  fr: {
    subject: 'Passage : choisissez votre mot de passe',
    intro: 'Un administrateur de votre organisation vous a créé un compte Passage.',
    link: 'Choisissez votre mot de passe (le lien ne fonctionne qu’une fois)',
    expires: 'Le lien expire le',
    ignore: 'Si vous n’attendiez pas ce message, ignorez-le et prévenez votre organisation.',
  },
  de: {
    subject: 'Passage: Passwort festlegen',
    intro: 'Eine Administratorin oder ein Administrator Ihrer Organisation hat ein Passage-Konto für Sie angelegt.',
    link: 'Legen Sie Ihr Passwort fest (der Link funktioniert einmal)',
    expires: 'Der Link läuft ab am',
    ignore: 'Wenn Sie diese E-Mail nicht erwartet haben, ignorieren Sie sie und informieren Sie Ihre Organisation.',
  },
};

/** The set-password e-mail of an invitation: the one-time link (`/set-password?token=…`) and when it expires (UTC). */
export function invitationEmail(language: Language, publicUrl: string, token: string, expiresAt: Date): EmailContent {
  const labels = INVITATION[language] ?? INVITATION.en;
  const expires = `${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return {
    subject: labels.subject,
    text: [
      labels.intro,
      '',
      `${labels.link}:`,
      `${publicUrl}/set-password?token=${encodeURIComponent(token)}`,
      '',
      `${labels.expires} ${expires}.`,
      '',
      labels.ignore,
      '',
    ].join('\n'),
  };
}

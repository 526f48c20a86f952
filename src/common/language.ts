/** The languages of the web app and the e-mails (the user.language CHECK). */
export const LANGUAGES = ['en', 'nl', 'fr', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

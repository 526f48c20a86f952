import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { IntlProvider, useIntl } from 'react-intl';
import { en, type MessageId, type Messages } from './en';

export const LANGUAGES = ['en', 'nl', 'fr', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

// English ships with the app; the other catalogues are separate chunks fetched when chosen.
const catalogues: Record<Language, () => Promise<Messages>> = {
  en: () => Promise.resolve(en),
  nl: () => import('./nl').then((module) => module.nl),
  fr: () => import('./fr').then((module) => module.fr),
  de: () => import('./de').then((module) => module.de),
};

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Before sign-in the browser's preference decides; after it, the user's stored choice. */
function browserLanguage(): Language {
  for (const tag of navigator.languages) {
    const primary = tag.slice(0, 2).toLowerCase();
    if (isLanguage(primary)) return primary;
  }
  return 'en';
}

interface LanguageContextValue {
  language: Language;
  setLanguage: (language: Language) => void;
}

const LanguageContext = createContext<LanguageContextValue>({ language: 'en', setLanguage: () => undefined });

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguage] = useState<Language>(browserLanguage);
  const [loaded, setLoaded] = useState<{ language: Language; messages: Messages }>({ language: 'en', messages: en });

  useEffect(() => {
    let current = true;
    void catalogues[language]().then((messages) => {
      if (current) setLoaded({ language, messages });
    });
    return () => {
      current = false;
    };
  }, [language]);

  // Screen readers pick their voice from <html lang>, so it follows the language actually shown.
  useEffect(() => {
    document.documentElement.lang = loaded.language;
  }, [loaded.language]);

  const value = useMemo(() => ({ language, setLanguage }), [language]);
  return (
    <LanguageContext.Provider value={value}>
      <IntlProvider locale={loaded.language} messages={loaded.messages} defaultLocale="en">
        {children}
      </IntlProvider>
    </LanguageContext.Provider>
  );
}

export function useLanguage(): LanguageContextValue {
  return useContext(LanguageContext);
}

export type Translate = (id: MessageId, values?: Record<string, string | number | Date>) => string;

/** Every string the user reads goes through here (or <FormattedMessage>), with ids checked against en.ts. */
export function useT(): Translate {
  const intl = useIntl();
  return useCallback<Translate>((id, values) => intl.formatMessage({ id }, values), [intl]);
}

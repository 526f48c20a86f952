import { useEffect } from 'react';

/** Page titles name the screen (and at most a case reference), never a person: they end up in history and tab lists. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} – Passage`;
  }, [title]);
}

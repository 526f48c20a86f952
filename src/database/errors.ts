import { QueryFailedError } from 'typeorm';

/** The constraint a unique violation (SQLSTATE 23505) broke, so a service can answer 409 for a race it lost. */
export function uniqueViolation(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const { code, constraint } = error as QueryFailedError & { code?: unknown; constraint?: unknown };
  return code === '23505' && typeof constraint === 'string' ? constraint : undefined;
}

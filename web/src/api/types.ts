import type { components, paths } from './schema';

type JsonBody<R> = R extends { content: { 'application/json': infer T } } ? T : never;

/** The JSON body of a path's successful answer, as the OpenAPI document describes it. */
export type Success<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? 200 extends keyof R
    ? JsonBody<R[200]>
    : 201 extends keyof R
      ? JsonBody<R[201]>
      : never
  : never;

/** The JSON body a path accepts. */
export type RequestBody<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

export type Me = Success<'/api/me', 'get'>;
export type CaseView = Success<'/api/cases/{id}', 'get'>;
export type CaseListItem = Success<'/api/cases', 'get'>['items'][number];
export type CaseAccess = Success<'/api/cases/{id}/access', 'get'>;
export type Referral = Success<'/api/referrals', 'get'>['items'][number];
export type Organisation = Success<'/api/organisations', 'get'>['items'][number];
export type Notification = Success<'/api/notifications', 'get'>['items'][number];
export type NewCase = RequestBody<'/api/cases', 'post'>;
export type Note = Success<'/api/cases/{id}/notes', 'get'>['items'][number];
export type NewNote = RequestBody<'/api/cases/{id}/notes', 'post'>;
export type Task = Success<'/api/tasks', 'get'>['items'][number];
export type CaseDocument = Success<'/api/cases/{id}/documents', 'get'>['items'][number];
export type DocumentSection = CaseDocument['section'];
export type IdentityMatch = NonNullable<CaseView['possibleDuplicates']>[number];
export type CaseClosure = NonNullable<CaseView['closure']>;
export type NewReferral = RequestBody<'/api/cases/{id}/referrals', 'post'>;

export type Summary = components['schemas']['SummarySection'];
export type ExploitationType = Summary['exploitationTypes'][number];
export type Indicator = NonNullable<Summary['indicators']>[number];
export type Role = components['schemas']['Role'];
export type Purpose = NewReferral['purpose'];
export type SectionName = keyof CaseView['permissions']['sections'];
export type Country = 'BE' | 'NL' | 'LU';
export const COUNTRIES: readonly Country[] = ['BE', 'NL', 'LU'];

/** Countries come as plain strings in some answers; narrowed here once instead of cast at each use. */
export function asCountry(value: string | null | undefined): Country | undefined {
  return COUNTRIES.find((country) => country === value);
}

export type CloseReason = RequestBody<'/api/cases/{id}/close', 'post'>['reason'];

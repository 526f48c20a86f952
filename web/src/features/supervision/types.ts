import type { paths } from '../../api/schema';
import type { Success } from '../../api/types';

export type AuditEvent = Success<'/api/audit/events', 'get'>['items'][number];
export type AuditQuery = NonNullable<paths['/api/audit/events']['get']['parameters']['query']>;
export type AuditFilters = Omit<AuditQuery, 'limit' | 'cursor'>;
export type AuditActionName = NonNullable<AuditQuery['action']>;
export type BreakGlassGrant = Success<'/api/audit/break-glass', 'get'>['items'][number];
export type Verdict = NonNullable<BreakGlassGrant['verdict']>;
export type Verification = Success<'/api/audit/verify', 'get'>;
export type Statistics = Success<'/api/statistics', 'get'>;
export type StatisticsQuery = NonNullable<paths['/api/statistics']['get']['parameters']['query']>;
export type GroupBy = NonNullable<StatisticsQuery['groupBy']>;
export type Figures = Statistics['total'];
/** A published count: a number, or "<5" exactly as the API gives it. */
export type Cell = Figures['casesOpened'];

/** The actions a supervisor filters by most; the select also accepts any other action the API knows. */
export const AUDIT_ACTIONS = [
  'case.read',
  'case.list',
  'case.create',
  'case.section.update',
  'case.close',
  'case.document.read',
  'case.identity_match',
  'case.subject_report',
  'referral.create',
  'referral.read',
  'referral.accept',
  'referral.decline',
  'referral.withdraw',
  'consent.withdraw',
  'break_glass',
  'break_glass.review',
  'auth.login',
  'auth.login_failed',
  'audit.query',
  'audit.export',
  'audit.verify',
  'statistics.query',
  'user.create',
  'user.update',
  'organisation.create',
  'organisation.update',
  'webhook.create',
  'webhook.delete',
] as const satisfies readonly AuditActionName[];

/** The filters of GET /api/audit/events, in the order of the form and of the query string. */
export const AUDIT_FILTER_KEYS = ['caseReference', 'caseId', 'actorId', 'organisationId', 'action', 'outcome', 'from', 'to'] as const satisfies ReadonlyArray<
  keyof AuditFilters
>;

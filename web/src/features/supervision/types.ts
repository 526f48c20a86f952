import type { components, paths } from '../../api/schema';
import type { Success } from '../../api/types';
import { everyValueOf } from '../../i18n/labels';

export type AuditEvent = Success<'/api/audit/events', 'get'>['items'][number];
export type AuditQuery = NonNullable<paths['/api/audit/events']['get']['parameters']['query']>;
export type AuditFilters = Omit<AuditQuery, 'limit' | 'cursor'>;
export type AuditActionName = components['schemas']['AuditAction'];
export type BreakGlassGrant = Success<'/api/audit/break-glass', 'get'>['items'][number];
export type Verdict = NonNullable<BreakGlassGrant['verdict']>;
export type Verification = Success<'/api/audit/verify', 'get'>;
export type Statistics = Success<'/api/statistics', 'get'>;
export type StatisticsQuery = NonNullable<paths['/api/statistics']['get']['parameters']['query']>;
export type GroupBy = NonNullable<StatisticsQuery['groupBy']>;
export type Figures = Statistics['total'];
/** A published count: a number, or "<5" exactly as the API gives it. */
export type Cell = Figures['casesOpened'];

/**
 * Every action the API records (its AuditAction enum), for the filter's select: the list must name
 * each value of the enum, and each has a label (`label.auditAction`, typed from the same enum, so
 * en.ts and through Messages every language must have it): an action added to the API breaks the
 * build until it is listed and labelled.
 */
export const AUDIT_ACTIONS = everyValueOf<AuditActionName>()([
  'audit.export',
  'audit.query',
  'audit.retention',
  'audit.verify',
  'auth.login',
  'auth.login_failed',
  'break_glass',
  'break_glass.review',
  'case.access',
  'case.anonymised',
  'case.close',
  'case.close_approved',
  'case.close_rejected',
  'case.close_requested',
  'case.create',
  'case.document.list',
  'case.document.read',
  'case.document.upload',
  'case.identity_match',
  'case.legal_hold_released',
  'case.legal_hold_set',
  'case.list',
  'case.note.create',
  'case.note.list',
  'case.read',
  'case.reopen',
  'case.section.update',
  'case.subject_report',
  'case.task.assignees',
  'case.task.create',
  'case.task.list',
  'case.task.update',
  'consent.withdraw',
  'organisation.create',
  'organisation.update',
  'placement.end',
  'referral.accept',
  'referral.create',
  'referral.decline',
  'referral.read',
  'referral.withdraw',
  'reflection_period.start',
  'statistics.export',
  'statistics.query',
  'task.list',
  'user.create',
  'user.invite',
  'user.update',
  'webhook.create',
  'webhook.delete',
  'webhook.replay',
  'webhook.rotate_secret',
]);

/** The filters of GET /api/audit/events, in the order of the form and of the query string. */
export const AUDIT_FILTER_KEYS = ['caseReference', 'caseId', 'actorId', 'organisationId', 'action', 'outcome', 'from', 'to'] as const satisfies ReadonlyArray<
  keyof AuditFilters
>;

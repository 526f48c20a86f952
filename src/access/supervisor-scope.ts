import type { Principal } from './principal';
import type { SqlParams } from '../common/sql';
import { OrganisationType } from './organisation-type';
import { Role } from './role';

/**
 * Whose events a supervisor may audit (PRODUCT.md, Audit): an organisation's supervisor those of
 * its own users and of the cases it leads; an oversight supervisor those of users of any
 * organisation of its country and of the cases of its country.
 */
export type AuditScope = { organisationId: string } | { country: string };

export function auditScopeOf(principal: Principal): AuditScope | undefined {
  if (principal.role !== Role.Supervisor) return undefined;
  if (principal.organisationType === OrganisationType.Oversight) return principal.country ? { country: principal.country } : undefined;
  return { organisationId: principal.organisationId };
}

/** What the scope is decided on: who acted (organisation and its country) and whose case it was. */
export interface ScopeFacts<T> {
  actorOrganisationId: T;
  actorCountry: T;
  caseLeadOrganisationId: T;
  caseCountry: T;
}

/** The scope columns of audit_event, captured at write time so the predicate needs no join and each arm has its (column, seq) index. */
export function auditEventScopeColumns(alias: string): ScopeFacts<string> {
  return {
    actorOrganisationId: `${alias}.actor_organisation_id`,
    actorCountry: `${alias}.actor_country`,
    caseLeadOrganisationId: `${alias}.case_lead_organisation_id`,
    caseCountry: `${alias}.case_country`,
  };
}

/** The scope as one SQL predicate over the given columns; used by every audit list, export and access log. */
export function auditScopePredicate(scope: AuditScope | undefined, columns: ScopeFacts<string>, params: SqlParams): string {
  if (!scope) return 'FALSE';
  if ('country' in scope) {
    const country = params.add(scope.country);
    return `(${columns.actorCountry} = ${country} OR ${columns.caseCountry} = ${country})`;
  }
  const organisation = params.add(scope.organisationId);
  return `(${columns.actorOrganisationId} = ${organisation} OR ${columns.caseLeadOrganisationId} = ${organisation})`;
}

/** The same rule for one record in memory (a case's access log, a break-glass grant to review). */
export function auditScopeCovers(scope: AuditScope | undefined, facts: Partial<ScopeFacts<string | null>>): boolean {
  if (!scope) return false;
  if ('country' in scope) return facts.actorCountry === scope.country || facts.caseCountry === scope.country;
  return facts.actorOrganisationId === scope.organisationId || facts.caseLeadOrganisationId === scope.organisationId;
}

/**
 * Who reviews a break-glass use (finding 4): the supervisor of the case's lead organisation and the
 * oversight of the case's country. The organisation that used break-glass does not review itself
 * (it sees the use in its audit scope, but may not mark it reviewed) unless it leads the case.
 */
export function mayReviewBreakGlass(principal: Principal, kase: { leadOrganisationId: string; country: string }): boolean {
  const scope = auditScopeOf(principal);
  if (!scope) return false;
  return 'country' in scope ? scope.country === kase.country : scope.organisationId === kase.leadOrganisationId;
}

/**
 * Whose names a user may look up in the directory (API.md, Readable context: supervisors and org
 * admins within their audit scope): an org admin the users of its organisation; a supervisor the
 * users of its audit scope's organisations (its own, or its country's for oversight) and anyone
 * who acted on a case of that scope, so every actor in its audit results can be named.
 */
export function directoryPredicate(
  principal: Principal,
  columns: { userId: string; organisationId: string; organisationCountry: string },
  params: SqlParams,
): string {
  if (principal.role === Role.OrgAdmin) return `${columns.organisationId} = ${params.add(principal.organisationId)}`;
  const scope = auditScopeOf(principal);
  if (!scope) return 'FALSE';
  if ('country' in scope) {
    const country = params.add(scope.country);
    return `(${columns.organisationCountry} = ${country} OR EXISTS (SELECT 1 FROM audit_event e WHERE e.actor_user_id = ${columns.userId} AND e.case_country = ${country}))`;
  }
  const organisation = params.add(scope.organisationId);
  return `(${columns.organisationId} = ${organisation} OR EXISTS (SELECT 1 FROM audit_event e WHERE e.actor_user_id = ${columns.userId} AND e.case_lead_organisation_id = ${organisation}))`;
}

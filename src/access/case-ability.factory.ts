import { AbilityBuilder, createMongoAbility, type MongoAbility, type MongoQuery } from '@casl/ability';
import { Injectable } from '@nestjs/common';
import type { Principal } from './principal';
import { OPERATIONAL_ROLE, Role } from './role';
import { BREAK_GLASS_SECTIONS, Purpose, purposesFor, sectionsFor } from './policy';

/** What can be done to a case. `read`/`update` take a section as the CASL field. */
export enum CaseAction {
  Create = 'create',
  Read = 'read',
  Update = 'update',
  Refer = 'refer',
  Close = 'close',
  /** Approve or reject a closing the lead asked for (the prosecution, when it participates). */
  DecideClosure = 'decideClosure',
  Reopen = 'reopen',
  BreakGlass = 'breakGlass',
  WithdrawConsent = 'withdrawConsent',
  StartReflectionPeriod = 'startReflectionPeriod',
  EndPlacement = 'endPlacement',
  /** Read the case's notes and contact log (those an organisation may see: see NotesService). */
  ReadNotes = 'readNotes',
  AddNote = 'addNote',
  /** See the tasks the caller's organisation set on the case. */
  ReadTasks = 'readTasks',
  ManageTasks = 'manageTasks',
  /** Set or lift a legal hold, which keeps retention from anonymising the case (open or closed). */
  LegalHold = 'legalHold',
}

/** The actions listed in a case's `permissions.actions` and `/access` answer. */
export const LISTED_ACTIONS: readonly CaseAction[] = [
  CaseAction.Refer,
  CaseAction.Close,
  CaseAction.DecideClosure,
  CaseAction.Reopen,
  CaseAction.BreakGlass,
  CaseAction.WithdrawConsent,
  CaseAction.StartReflectionPeriod,
  CaseAction.EndPlacement,
  CaseAction.LegalHold,
];

/**
 * A case as authorization sees it. The same field names are mapped to SQL by CaseSqlFilter,
 * so a rule means the same thing for one loaded case and for a list query.
 */
export interface CaseSubject {
  id: string;
  country: string;
  status: 'open' | 'closed';
  leadOrganisationId: string;
  /** Live participations; `holdsBed`: a reception centre's placement of the victim, still running. */
  participations: Array<{ organisationId: string; purpose: Purpose; revokedAt: Date | null; holdsBed: boolean }>;
  breakGlass: Array<{ userId: string; expiresAt: Date }>;
}

export type CaseAbility = MongoAbility<[CaseAction, 'Case' | CaseSubject], MongoQuery>;

@Injectable()
export class CaseAbilityFactory {
  /**
   * One ability per request, from the user's role and organisation. Rights on a case are the
   * union over the organisation's live participations plus the user's own live break-glass
   * grant; only the operational role of the organisation's type gets any. Supervisors and
   * admins get no rule at all: separation of duties.
   */
  createFor(principal: Principal, now: Date = new Date()): CaseAbility {
    const { can, cannot, build } = new AbilityBuilder<CaseAbility>(createMongoAbility);
    const operational = OPERATIONAL_ROLE[principal.organisationType] === principal.role;
    if (!operational) return build();

    const live = { organisationId: principal.organisationId, revokedAt: null };
    const participates = (purposes?: Purpose[]) => ({
      participations: { $elemMatch: purposes ? { ...live, purpose: { $in: purposes } } : live },
    });

    for (const purpose of purposesFor(principal.organisationType)) {
      can(CaseAction.Read, 'Case', sectionsFor(purpose, 'read'), participates([purpose]));
      const writable = sectionsFor(purpose, 'write');
      if (writable.length > 0) can(CaseAction.Update, 'Case', writable, { status: 'open', ...participates([purpose]) });
    }
    can(CaseAction.Read, 'Case', [...BREAK_GLASS_SECTIONS], { breakGlass: { $elemMatch: { userId: principal.userId, expiresAt: { $gt: now } } } });

    if (principal.role === Role.Officer || principal.role === Role.Inspector) {
      can(CaseAction.Create, 'Case');
      can(CaseAction.Close, 'Case', { status: 'open', leadOrganisationId: principal.organisationId, ...participates([Purpose.Lead]) });
      can(CaseAction.Reopen, 'Case', { status: 'closed', leadOrganisationId: principal.organisationId, ...participates([Purpose.Lead]) });
    }
    // Whether a closing is pending is data, not a rule: the service answers 409 when there is none.
    can(CaseAction.DecideClosure, 'Case', { status: 'open', ...participates([Purpose.Prosecution]) });
    can(CaseAction.Refer, 'Case', { status: 'open', ...participates() });
    // Notes follow participation, not break-glass: emergency access opens summary and identity only.
    can(CaseAction.ReadNotes, 'Case', participates());
    can(CaseAction.AddNote, 'Case', { status: 'open', ...participates() });
    can(CaseAction.ReadTasks, 'Case', participates());
    can(CaseAction.ManageTasks, 'Case', { status: 'open', ...participates() });
    can(CaseAction.WithdrawConsent, 'Case', { status: 'open', ...participates() });
    if (principal.role === Role.MigrationOfficer) {
      can(CaseAction.StartReflectionPeriod, 'Case', { status: 'open', ...participates([Purpose.Residence]) });
    }
    if (principal.role === Role.Caseworker) {
      // Only a placement still running can be ended: once ended, the action is no longer offered.
      can(CaseAction.EndPlacement, 'Case', { status: 'open', participations: { $elemMatch: { ...live, purpose: Purpose.Shelter, holdsBed: true } } });
    }
    if (principal.role === Role.Prosecutor) {
      // Proceedings can outlast the retention period: the prosecution taking part decides, closed case or not.
      can(CaseAction.LegalHold, 'Case', participates([Purpose.Prosecution]));
    }
    if (principal.country) {
      can(CaseAction.BreakGlass, 'Case', { country: principal.country });
      cannot(CaseAction.BreakGlass, 'Case', participates());
    }
    return build();
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AccessService, type LoadedCase } from '../access/access.service';
import { type CaseAbility, CaseAction } from '../access/case-ability.factory';
import type { Section } from '../access/policy';
import type { Principal, RequestMeta } from '../access/principal';
import type { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import { Problem } from '../common/problem';
import type { DomainEvent } from '../outbox/domain-event';
import { OutboxService } from '../outbox/outbox.service';

/** Decides whether a loaded case allows what is asked; a Problem (404/403/409) if not. */
export type Authorization = (ability: CaseAbility, loaded: LoadedCase) => Problem | undefined;

/** Sections an audit event names, fixed or from what the caller may do on the case. */
export type SectionsOf = readonly Section[] | ((ability: CaseAbility, loaded: LoadedCase) => readonly Section[]);

export interface CaseCommandContext {
  manager: EntityManager;
  loaded: LoadedCase;
  ability: CaseAbility;
  principal: Principal;
}

/** What the work hands back: its result, the domain events it causes, and (when it decides it) the legal basis of the access. */
export interface CaseCommandDone<T> {
  result: T;
  /** The audit action when the work decides it (closing directly, or asking the prosecution first). */
  action?: AuditAction;
  events?: readonly DomainEvent[];
  legalBasis?: string | null;
}

export interface CaseCommandSpec<T> {
  principal: Principal;
  caseId: string;
  meta: RequestMeta;
  /** The audit action, allowed or denied. */
  action: AuditAction;
  /** Sections named by the event, allowed and denied. */
  sections?: readonly Section[];
  justification?: string;
  authorize: Authorization;
  /** The sections whose legal basis the allowed event records (default: `sections`); the work may decide it instead. */
  basis?: SectionsOf;
  /** Runs with the case locked; a returned Problem refuses after looking at the data (e.g. a stale version) and rolls back; a 403/404 is audited as denied. */
  work(context: CaseCommandContext): Promise<CaseCommandDone<T> | Problem>;
}

/** Opening a case: there is nothing to lock yet, so the caller's ability alone decides. */
export interface CaseOpenSpec<T> {
  principal: Principal;
  meta: RequestMeta;
  action: AuditAction;
  authorize(ability: CaseAbility): Problem | undefined;
  /** Inserts the case; says which case it made, the audit events it causes (each with the sections it names) and their legal basis. */
  work(context: {
    manager: EntityManager;
    ability: CaseAbility;
    principal: Principal;
  }): Promise<CaseCommandDone<T> & { caseId: string; audited: ReadonlyArray<{ action: AuditAction; sections: readonly Section[] }> }>;
}

export const CASE_NOT_FOUND = (): Problem => Problem.notFound('Case not found');

/** A case whose retention period ran out: its data key is destroyed, only statistics and the audit trail remain. */
export const CASE_ANONYMISED = (): Problem =>
  Problem.gone('case-anonymised', 'This case was anonymised at the end of its retention period; its content no longer exists');

/**
 * The refusal for a case past retention, once the caller is allowed to know the case exists
 * (not visible stays 404, so anonymising a case never tells an outsider it existed).
 */
export function withAnonymisedGone(authorize: Authorization): Authorization {
  return (ability, loaded) => authorize(ability, loaded) ?? (loaded.anonymisedAt ? CASE_ANONYMISED() : undefined);
}

/** Work the platform itself does to a case (retention), with no user behind it. */
export interface SystemCaseCommandSpec<T> {
  caseId: string;
  action: AuditAction;
  /** Runs with the case locked; undefined: nothing to do after all (the audit event is not written). */
  work(context: { manager: EntityManager; loaded: LoadedCase }): Promise<{ result: T; justification?: string } | undefined>;
}

/**
 * The one way case data changes: in one transaction, lock the case, authorize against its current
 * participations, run the work, write its outbox events, then its audit event from what the work
 * returned. A refusal (403/404), by the authorization or by the work, is recorded as a denied
 * event after the rollback, then raised.
 * Features give the work; they never write the audit event of a change themselves.
 */
@Injectable()
export class CaseCommand {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  /** The case must be visible (else 404, so its existence does not leak) and allow `action` (else 403; 409 if only its being closed, or open, stops it). */
  requireAction(action: CaseAction, section?: Section): Authorization {
    return (ability, loaded) => {
      if (!this.access.isVisible(ability, loaded)) return CASE_NOT_FOUND();
      if (!this.access.can(ability, action, loaded, section)) {
        if (loaded.status === 'closed' && this.access.can(ability, action, { ...loaded, status: 'open' }, section)) {
          return Problem.conflict('case-closed', 'The case is closed and read-only');
        }
        if (loaded.status === 'open' && this.access.can(ability, action, { ...loaded, status: 'closed' }, section)) {
          return Problem.conflict('case-open', 'The case is open');
        }
        return Problem.forbidden(
          section ? `You may not ${action === CaseAction.Update ? 'change' : 'read'} the ${section} section of this case` : 'You may not do this on this case',
        );
      }
      return undefined;
    };
  }

  /** The sections the caller may read: the basis of changes that touch the case as a whole (notes, tasks). */
  readonly readable: SectionsOf = (ability, loaded) => this.access.readableSections(ability, loaded);

  async run<T>(spec: CaseCommandSpec<T>): Promise<T> {
    const ability = this.access.abilityFor(spec.principal);
    try {
      return await this.dataSource.transaction(async (manager): Promise<T> => {
        const loaded = await this.access.loadCase(manager, spec.caseId, { lock: true });
        const refusal = loaded ? withAnonymisedGone(spec.authorize)(ability, loaded) : CASE_NOT_FOUND();
        if (refusal) throw refusal;
        const done = await spec.work({ manager, loaded: loaded!, ability, principal: spec.principal });
        if (done instanceof Problem) throw done;
        for (const event of done.events ?? []) await this.outbox.emit(manager, event);
        const basis = spec.basis ?? spec.sections;
        await this.audit.record(manager, {
          action: done.action ?? spec.action,
          outcome: 'allowed',
          actor: spec.principal,
          caseId: spec.caseId,
          caseOwner: loaded,
          sections: spec.sections,
          legalBasis:
            done.legalBasis !== undefined
              ? done.legalBasis
              : basis
                ? this.access.legalBasis(spec.principal, loaded!, sectionsOf(basis, ability, loaded!))
                : null,
          justification: spec.justification,
          meta: spec.meta,
        });
        return done.result;
      });
    } catch (error) {
      // A refusal, by the authorization or by the work once it saw the data (e.g. a referral's other
      // side), rolled everything back; only its denied event is kept.
      if (error instanceof Problem && (error.statusCode === 403 || error.statusCode === 404)) {
        await this.deny(spec.principal, spec.caseId, spec.meta, { action: spec.action, sections: spec.sections, justification: spec.justification });
      }
      throw error;
    }
  }

  /** The same pipeline for a case that does not exist yet: authorize, insert, outbox, audit, in one transaction. */
  async open<T>(spec: CaseOpenSpec<T>): Promise<T> {
    const ability = this.access.abilityFor(spec.principal);
    const refusal = spec.authorize(ability);
    if (refusal) {
      await this.deny(spec.principal, null, spec.meta, { action: spec.action });
      throw refusal;
    }
    return this.dataSource.transaction(async (manager) => {
      const done = await spec.work({ manager, ability, principal: spec.principal });
      const loaded = await this.access.loadCase(manager, done.caseId);
      for (const event of done.events ?? []) await this.outbox.emit(manager, event);
      for (const audited of done.audited) {
        await this.audit.record(manager, {
          action: audited.action,
          outcome: 'allowed',
          actor: spec.principal,
          caseId: done.caseId,
          caseOwner: loaded,
          sections: audited.sections,
          legalBasis: done.legalBasis ?? null,
          meta: spec.meta,
        });
      }
      return done.result;
    });
  }

  /**
   * The same pipeline for the platform's own changes (the retention job): the case locked, the
   * work, and its audit event with no actor, in one transaction. Answers undefined when the work
   * found nothing to do (no such case, or it no longer qualifies).
   */
  async runAsSystem<T>(spec: SystemCaseCommandSpec<T>): Promise<T | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const loaded = await this.access.loadCase(manager, spec.caseId, { lock: true });
      if (!loaded) return undefined;
      const done = await spec.work({ manager, loaded });
      if (!done) return undefined;
      await this.audit.record(manager, {
        action: spec.action,
        outcome: 'allowed',
        actor: null,
        caseId: spec.caseId,
        caseOwner: loaded,
        justification: done.justification,
      });
      return done.result;
    });
  }

  /** A refusal decided before a case could be locked (e.g. the task asked for is not the caller's): its denied event. */
  async deny(
    principal: Principal,
    caseId: string | null,
    meta: RequestMeta,
    event: { action: AuditAction; sections?: readonly Section[]; justification?: string },
  ): Promise<void> {
    await this.audit.recordNow({
      action: event.action,
      outcome: 'denied',
      actor: principal,
      caseId,
      sections: event.sections,
      justification: event.justification,
      meta,
    });
  }
}

export function sectionsOf(sections: SectionsOf, ability: CaseAbility, loaded: LoadedCase): readonly Section[] {
  return typeof sections === 'function' ? sections(ability, loaded) : sections;
}

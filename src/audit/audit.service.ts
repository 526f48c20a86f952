import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Principal, RequestMeta } from '../access/principal';
import { Problem } from '../common/problem';
import type { AuditAction, AuditOutcome } from './audit-action';

/** The case an event is about, as the supervisor scope needs it. */
export interface AuditCaseOwner {
  leadOrganisationId: string;
  country: string;
}

/** What a caller says about an access. Ids and case references only: never case content. */
export interface AuditEntry {
  action: AuditAction;
  outcome: AuditOutcome;
  /** A Principal fits as it is; without `country`, the organisation's country is looked up. */
  actor?: (Pick<Principal, 'userId' | 'organisationId' | 'role'> & { country?: string | null }) | null;
  caseId?: string | null;
  /** The case's lead organisation and country, when the caller has the case at hand; otherwise looked up by `caseId`. */
  caseOwner?: AuditCaseOwner | null;
  sections?: readonly string[] | null;
  legalBasis?: string | null;
  justification?: string | null;
  meta?: RequestMeta | null;
}

/**
 * Writes audit events. `record` runs inside the caller's transaction, so a change and its trace
 * commit together or not at all. It takes no lock: the event gets its `seq` from a sequence and
 * its time from the database clock, and the worker's sequencer later gives it its place in the
 * verifiable log, hashing the row as stored.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    try {
      await manager.query(...insertOf(entry));
    } catch (error) {
      // The caller's transaction is lost with it: the change it would have traced is not made.
      this.logger.error({ action: entry.action, caseId: entry.caseId, err: { message: (error as Error).message } }, 'audit write failed');
      throw Problem.unavailable('The action could not be recorded in the audit trail, so nothing was changed. Try again shortly.');
    }
  }

  /**
   * An event in its own transaction (reads, denials, sign-ins). Fails closed: if the trace
   * cannot be written the caller gets 503 and must not return the data.
   */
  async recordNow(entry: AuditEntry): Promise<void> {
    try {
      // One statement is its own transaction: one round trip, where BEGIN … COMMIT took three.
      await this.dataSource.query(...insertOf(entry));
    } catch (error) {
      this.logger.error({ action: entry.action, caseId: entry.caseId, err: { message: (error as Error).message } }, 'audit write failed');
      throw Problem.unavailable('The access could not be recorded in the audit trail, so it was refused. Try again shortly.');
    }
  }

  /** Several events in one transaction of their own (e.g. one per brief a listing shows); fails closed like recordNow. */
  async recordAllNow(entries: readonly AuditEntry[]): Promise<void> {
    try {
      await this.dataSource.transaction(async (manager) => {
        for (const entry of entries) await this.record(manager, entry);
      });
    } catch (error) {
      this.logger.error({ actions: entries.map((entry) => entry.action), err: { message: (error as Error).message } }, 'audit write failed');
      throw Problem.unavailable('The access could not be recorded in the audit trail, so it was refused. Try again shortly.');
    }
  }
}

/*
 * The columns the supervisor scope filters on are captured at write time, so later queries need
 * no join. When the caller does not have them at hand they are looked up in the INSERT itself
 * (no extra round trip): the actor's country from the organisation, the case's lead organisation
 * and country from the case (a denied attempt may name a case that does not exist: then the
 * event has no case scope).
 */
const INSERT = `INSERT INTO audit_event (id, actor_user_id, actor_organisation_id, actor_role, action, case_id, sections, outcome,
    legal_basis, justification, request_id, ip, actor_country, case_lead_organisation_id, case_country)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
    CASE WHEN $16::boolean THEN (SELECT o.country FROM organisation o WHERE o.id = $3) ELSE $13 END,
    CASE WHEN $17::boolean THEN (SELECT c.lead_organisation_id FROM "case" c WHERE c.id = $6) ELSE $14 END,
    CASE WHEN $17::boolean THEN (SELECT c.country FROM "case" c WHERE c.id = $6) ELSE $15 END)`;

function insertOf(entry: AuditEntry): [string, unknown[]] {
  const lookUpActor = entry.actor !== null && entry.actor !== undefined && entry.actor.country === undefined;
  const lookUpCase = !entry.caseOwner && !!entry.caseId;
  return [
    INSERT,
    [
      randomUUID(),
      entry.actor?.userId ?? null,
      entry.actor?.organisationId ?? null,
      entry.actor?.role ?? null,
      entry.action,
      entry.caseId ?? null,
      entry.sections ? [...entry.sections] : null,
      entry.outcome,
      entry.legalBasis ?? null,
      entry.justification ?? null,
      entry.meta?.requestId ?? null,
      entry.meta?.ip ?? null,
      entry.actor?.country ?? null,
      entry.caseOwner?.leadOrganisationId ?? null,
      entry.caseOwner?.country ?? null,
      lookUpActor,
      lookUpCase,
    ],
  ];
}

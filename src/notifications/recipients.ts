import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { OrganisationType } from '../access/organisation-type';
import { Audience, isToldOfEvent, receivesCaseNotices, REFERRAL_TARGET_STATUS, supervisorAudience } from '../access/notification-audience';
import type { EventJobPayload } from '../outbox/domain-event';
import type { Role } from '../access/role';
import type { Language } from '../users/user.entity';
import { CASE_VISIBILITY, type CaseVisibility } from './case-visibility';
import { DomainEventType } from '../outbox/domain-event';

export interface CaseFacts {
  id: string;
  reference: string;
  country: string;
  leadOrganisationId: string;
}

export interface Recipient {
  userId: string;
  organisationId: string;
  language: Language;
}

/**
 * Which audience each event addresses; who belongs to an audience is decided in
 * access/notification-audience.ts. A new event type must choose one here (the record is total).
 */
const EVENT_AUDIENCE: Record<DomainEventType, Audience> = {
  [DomainEventType.ReferralReceived]: Audience.PendingReferralTarget,
  [DomainEventType.ReferralReminder]: Audience.PendingReferralTarget,
  [DomainEventType.ReferralWithdrawn]: Audience.WithdrawnReferralTarget,
  [DomainEventType.ReferralAccepted]: Audience.CaseReaders,
  [DomainEventType.ReferralDeclined]: Audience.CaseReaders,
  [DomainEventType.ReferralExpired]: Audience.CaseReaders,
  [DomainEventType.ConsentWithdrawn]: Audience.LosingAccess,
  [DomainEventType.CaseClosed]: Audience.CaseReaders,
  [DomainEventType.CaseClosureRequested]: Audience.CaseReaders,
  [DomainEventType.CaseClosureReminder]: Audience.CaseReaders,
  [DomainEventType.CaseClosureApproved]: Audience.CaseReaders,
  [DomainEventType.CaseClosureRejected]: Audience.CaseReaders,
  [DomainEventType.CaseReopened]: Audience.CaseReaders,
  [DomainEventType.BreakGlassUsed]: Audience.Supervisors,
  [DomainEventType.BreakGlassReviewDue]: Audience.Supervisors,
  [DomainEventType.BreakGlassNotJustified]: Audience.CaseReaders,
  [DomainEventType.ReflectionPeriodEnding]: Audience.CaseReaders,
  [DomainEventType.ReflectionPeriodEnded]: Audience.CaseReaders,
  [DomainEventType.TaskDue]: Audience.CaseReaders,
  [DomainEventType.MinorAtAdultCentre]: Audience.CaseReaders,
};

/**
 * Who an event notifies, decided when the job runs (not when the event was written): the members
 * of the event's audience (access/notification-audience.ts) at that moment. This class only reads
 * the facts the rules are decided on.
 */
@Injectable()
export class RecipientResolver {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CASE_VISIBILITY) private readonly visibility: CaseVisibility,
  ) {}

  async caseFacts(caseId: string): Promise<CaseFacts | undefined> {
    const rows: Array<{ id: string; reference: string; country: string; lead_organisation_id: string }> = await this.dataSource.query(
      `SELECT id, reference, country, lead_organisation_id FROM "case" WHERE id = $1`,
      [caseId],
    );
    const row = rows[0];
    return row && { id: row.id, reference: row.reference, country: row.country, leadOrganisationId: row.lead_organisation_id };
  }

  /**
   * `facts` is a promise so the fan-out can read the case while the recipients are resolved; only
   * the supervisors' audience waits for it (no case: nobody, the caller retries on the missing case).
   */
  async resolve(event: EventJobPayload, facts: Promise<CaseFacts | undefined>): Promise<Recipient[]> {
    const audience = EVENT_AUDIENCE[event.type];
    const recipients = audience === Audience.Supervisors ? await this.supervisors(event, await facts) : await this.operationalRecipients(event, audience);
    return recipients.filter((recipient) => isToldOfEvent(recipient.userId, event));
  }

  private async supervisors(event: EventJobPayload, facts: CaseFacts | undefined): Promise<Recipient[]> {
    if (!facts) return [];
    const audience = supervisorAudience(facts, event.organisationIds);
    const rows: Array<{ id: string; organisation_id: string; language: Language }> = await this.dataSource.query(
      `SELECT u.id, u.organisation_id, u.language
         FROM "user" u JOIN organisation o ON o.id = u.organisation_id
        WHERE u.role = $1 AND u.active AND o.active
          AND (u.organisation_id = ANY($2::uuid[]) OR (o.type = $3 AND o.country = $4))
        ORDER BY u.id`,
      [audience.role, audience.organisationIds, audience.oversight.type, audience.oversight.country],
    );
    return rows.map((row) => ({ userId: row.id, organisationId: row.organisation_id, language: row.language }));
  }

  private async operationalRecipients(event: EventJobPayload, audience: Audience): Promise<Recipient[]> {
    if (event.organisationIds.length === 0) return [];
    // The members and the organisations told without access are independent reads, made at once.
    const [rows, toldWithoutAccess] = await Promise.all([
      this.dataSource.query(
        `SELECT u.id, u.organisation_id, u.language, u.role, o.type
           FROM "user" u JOIN organisation o ON o.id = u.organisation_id
          WHERE u.organisation_id = ANY($1::uuid[]) AND u.active AND o.active
          ORDER BY u.id`,
        [event.organisationIds],
      ) as Promise<Array<{ id: string; organisation_id: string; language: Language; role: Role; type: OrganisationType }>>,
      this.organisationsToldWithoutAccess(event, audience),
    ]);
    const candidates = rows
      .filter((row) => receivesCaseNotices({ role: row.role, organisationType: row.type }))
      .map((row) => ({ userId: row.id, organisationId: row.organisation_id, language: row.language }));

    const needCheck = candidates.filter((candidate) => !toldWithoutAccess.has(candidate.organisationId)).map((candidate) => candidate.userId);
    const allowed = await this.visibility.visibleTo(needCheck, event.caseId);
    const visible = candidates.filter((candidate) => toldWithoutAccess.has(candidate.organisationId) || allowed.has(candidate.userId));
    return visible;
  }

  /**
   * Organisations of the event told although they may not (or no longer) see the case, by the
   * audience's rule: a referral's target, or those that took part in or were referred the case and
   * lose their access. The notice holds nothing but the reference they already knew; anyone else
   * named in the event still needs visibility.
   */
  private async organisationsToldWithoutAccess(event: EventJobPayload, audience: Audience): Promise<Set<string>> {
    const status = REFERRAL_TARGET_STATUS[audience];
    if (status && event.referralId) {
      const rows: Array<{ to_organisation_id: string }> = await this.dataSource.query(
        `SELECT to_organisation_id FROM referral WHERE id = $1 AND case_id = $2 AND status = $3`,
        [event.referralId, event.caseId, status],
      );
      return new Set(rows.map((row) => row.to_organisation_id));
    }
    if (audience === Audience.LosingAccess) {
      const rows: Array<{ organisation_id: string }> = await this.dataSource.query(
        `SELECT organisation_id FROM participation WHERE case_id = $1 AND organisation_id = ANY($2::uuid[])
         UNION SELECT to_organisation_id FROM referral WHERE case_id = $1 AND to_organisation_id = ANY($2::uuid[])`,
        [event.caseId, event.organisationIds],
      );
      return new Set(rows.map((row) => row.organisation_id));
    }
    return new Set();
  }
}

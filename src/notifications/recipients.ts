import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { OrganisationType } from '../access/organisation-type';
import type { EventJobPayload } from '../outbox/domain-event';
import { OPERATIONAL_ROLE, Role } from '../access/role';
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

/** Supervisors are told about emergency access although they never read case content. */
const SUPERVISOR_EVENTS: readonly DomainEventType[] = [DomainEventType.BreakGlassUsed, DomainEventType.BreakGlassReviewDue];
/**
 * Events about a referral that its target is told of without seeing the case: while pending it
 * sees the brief; once withdrawn it must learn that, and knew the reference already.
 */
const REFERRAL_TARGET_STATUS: Partial<Record<DomainEventType, string>> = {
  [DomainEventType.ReferralReceived]: 'pending',
  [DomainEventType.ReferralReminder]: 'pending',
  [DomainEventType.ReferralWithdrawn]: 'withdrawn',
};

/**
 * Who an event notifies, decided when the job runs (not when the event was written): the
 * operational users of the event's organisations who may see the case at that moment, those
 * told because they lose access (organisationsToldWithoutAccess), or, for emergency access, the
 * supervisors concerned. The actor is never told about their own action.
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

  async resolve(event: EventJobPayload, facts: CaseFacts): Promise<Recipient[]> {
    const recipients = SUPERVISOR_EVENTS.includes(event.type) ? await this.supervisors(event, facts) : await this.operationalRecipients(event);
    const named = event.userIds;
    return recipients.filter((recipient) => recipient.userId !== event.actorUserId && (!named || named.includes(recipient.userId)));
  }

  private async supervisors(event: EventJobPayload, facts: CaseFacts): Promise<Recipient[]> {
    const rows: Array<{ id: string; organisation_id: string; language: Language }> = await this.dataSource.query(
      `SELECT u.id, u.organisation_id, u.language
         FROM "user" u JOIN organisation o ON o.id = u.organisation_id
        WHERE u.role = $1 AND u.active AND o.active
          AND (u.organisation_id = ANY($2::uuid[]) OR (o.type = $3 AND o.country = $4))
        ORDER BY u.id`,
      [Role.Supervisor, [facts.leadOrganisationId, ...event.organisationIds], OrganisationType.Oversight, facts.country],
    );
    return rows.map((row) => ({ userId: row.id, organisationId: row.organisation_id, language: row.language }));
  }

  private async operationalRecipients(event: EventJobPayload): Promise<Recipient[]> {
    if (event.organisationIds.length === 0) return [];
    const rows: Array<{ id: string; organisation_id: string; language: Language; role: Role; type: OrganisationType }> = await this.dataSource.query(
      `SELECT u.id, u.organisation_id, u.language, u.role, o.type
         FROM "user" u JOIN organisation o ON o.id = u.organisation_id
        WHERE u.organisation_id = ANY($1::uuid[]) AND u.active AND o.active
        ORDER BY u.id`,
      [event.organisationIds],
    );
    const candidates = rows
      .filter((row) => OPERATIONAL_ROLE[row.type] === row.role)
      .map((row) => ({ userId: row.id, organisationId: row.organisation_id, language: row.language }));

    const toldWithoutAccess = await this.organisationsToldWithoutAccess(event);
    const needCheck = candidates.filter((candidate) => !toldWithoutAccess.has(candidate.organisationId)).map((candidate) => candidate.userId);
    const allowed = await this.visibility.visibleTo(needCheck, event.caseId);
    const visible = candidates.filter((candidate) => toldWithoutAccess.has(candidate.organisationId) || allowed.has(candidate.userId));
    return visible;
  }

  /**
   * Organisations told although they may not (or no longer) see the case: a referral's target
   * (see REFERRAL_TARGET_STATUS), and, when consent is withdrawn, the organisations that took part
   * in or were referred the case and lose their access by it. The notice holds nothing but the
   * reference they already knew; anyone else named in the event still needs visibility.
   */
  private async organisationsToldWithoutAccess(event: EventJobPayload): Promise<Set<string>> {
    const status = REFERRAL_TARGET_STATUS[event.type];
    if (status && event.referralId) {
      const rows: Array<{ to_organisation_id: string }> = await this.dataSource.query(
        `SELECT to_organisation_id FROM referral WHERE id = $1 AND case_id = $2 AND status = $3`,
        [event.referralId, event.caseId, status],
      );
      return new Set(rows.map((row) => row.to_organisation_id));
    }
    if (event.type === DomainEventType.ConsentWithdrawn) {
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

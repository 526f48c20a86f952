import { subject as asSubject } from '@casl/ability';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from './principal';
import { type CaseAbility, CaseAbilityFactory, CaseAction, type CaseSubject, LISTED_ACTIONS } from './case-ability.factory';
import type { SqlParams } from '../common/sql';
import { caseAccessPage, caseAccessPredicate } from './case-sql-filter';
import { BREAK_GLASS_SECTIONS, LegalBasis, type Purpose, PURPOSE_POLICY, type SectionAccess, Section, SECTIONS } from './policy';

export interface LoadedCase extends CaseSubject {
  reference: string;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  /** Set once retention destroyed the case's data key: the case answers 410 from then on. */
  anonymisedAt: Date | null;
  /** Prosecution's hold: retention leaves the case alone while it is set. */
  legalHold: { since: Date; reason: string } | null;
  participationDetails: Array<{ id: string; organisationId: string; purpose: Purpose; legalBasis: LegalBasis; consentId: string | null }>;
  breakGlassDetails: Array<{ id: string; userId: string; expiresAt: Date }>;
}

export interface Grant {
  source: 'participation' | 'break_glass';
  organisationId: string;
  purpose: Purpose | null;
  legalBasis: LegalBasis;
  sections: Partial<Record<Section, SectionAccess>>;
  expiresAt?: string;
  /** Break-glass grants: the user it was granted to. */
  userId?: string;
}

export interface Permissions {
  sections: Partial<Record<Section, SectionAccess>>;
  actions: CaseAction[];
}

/** How long a built ability is reused for the same principal (far below the 5 s a revocation may take). */
export const ABILITY_CACHE_MS = 1_000;

/**
 * The one place case authorization is decided: abilities from CaseAbilityFactory, the case as
 * a subject, and the SQL predicate for lists, all from the same rules.
 */
@Injectable()
export class AccessService {
  private readonly cached = new Map<string, { ability: CaseAbility; at: number }>();

  constructor(private readonly abilities: CaseAbilityFactory) {}

  /**
   * The principal's ability. Without an explicit `now`, one built less than ABILITY_CACHE_MS ago
   * for the same principal (user, session, organisation, type, role, country: any change is a new
   * key) is reused: building it was a per-request cost of every case route. The only time in its
   * rules is the break-glass expiry, so a grant may count up to that long after it expired in a
   * list's predicate (a single case's grants are loaded with `expires_at > now()` regardless);
   * deactivation and logout are the principal loader's (5 s).
   */
  abilityFor(principal: Principal, now?: Date): CaseAbility {
    if (now) return this.abilities.createFor(principal, now);
    const key = `${principal.userId}:${principal.sessionId}:${principal.organisationId}:${principal.organisationType}:${principal.role}:${principal.country ?? ''}`;
    const at = Date.now();
    const hit = this.cached.get(key);
    if (hit && at - hit.at < ABILITY_CACHE_MS) return hit.ability;
    const ability = this.abilities.createFor(principal, new Date(at));
    if (this.cached.size > 10_000) this.cached.clear();
    this.cached.set(key, { ability, at });
    return ability;
  }

  /** The case with its live participations and unexpired break-glass grants, or undefined. */
  async loadCase(manager: EntityManager, caseId: string, options: { lock?: boolean } = {}): Promise<LoadedCase | undefined> {
    const rows: Array<{
      id: string;
      reference: string;
      country: string;
      status: 'open' | 'closed';
      lead_organisation_id: string;
      created_at: Date;
      updated_at: Date;
      closed_at: Date | null;
      anonymised_at: Date | null;
      legal_hold_at: Date | null;
      legal_hold_reason: string | null;
    }> = await manager.query(
      `SELECT id, reference, country, status, lead_organisation_id, created_at, updated_at, closed_at, anonymised_at, legal_hold_at, legal_hold_reason
         FROM "case" WHERE id = $1 ${options.lock ? 'FOR UPDATE' : ''}`,
      [caseId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const [participations, grants] = await Promise.all([
      manager.query(
        `SELECT id, organisation_id, purpose, legal_basis, consent_id, holds_bed FROM participation WHERE case_id = $1 AND revoked_at IS NULL ORDER BY created_at`,
        [caseId],
      ) as Promise<Array<{ id: string; organisation_id: string; purpose: Purpose; legal_basis: LegalBasis; consent_id: string | null; holds_bed: boolean }>>,
      manager.query(`SELECT id, user_id, expires_at FROM break_glass_grant WHERE case_id = $1 AND expires_at > now() ORDER BY created_at`, [caseId]) as Promise<
        Array<{ id: string; user_id: string; expires_at: Date }>
      >,
    ]);
    return {
      id: row.id,
      reference: row.reference,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      closedAt: row.closed_at,
      anonymisedAt: row.anonymised_at,
      legalHold: row.legal_hold_at && row.legal_hold_reason ? { since: row.legal_hold_at, reason: row.legal_hold_reason } : null,
      country: row.country,
      status: row.status,
      leadOrganisationId: row.lead_organisation_id,
      participations: participations.map((p) => ({ organisationId: p.organisation_id, purpose: p.purpose, revokedAt: null, holdsBed: p.holds_bed })),
      breakGlass: grants.map((g) => ({ userId: g.user_id, expiresAt: g.expires_at })),
      participationDetails: participations.map((p) => ({
        id: p.id,
        organisationId: p.organisation_id,
        purpose: p.purpose,
        legalBasis: p.legal_basis,
        consentId: p.consent_id,
      })),
      breakGlassDetails: grants.map((g) => ({ id: g.id, userId: g.user_id, expiresAt: g.expires_at })),
    };
  }

  can(ability: CaseAbility, action: CaseAction, loaded: LoadedCase, section?: Section): boolean {
    return ability.can(action, asSubject('Case', this.subjectOf(loaded)), section);
  }

  /** Visible = the user may read at least one section (the summary, in practice). */
  isVisible(ability: CaseAbility, loaded: LoadedCase): boolean {
    return this.can(ability, CaseAction.Read, loaded);
  }

  permissions(ability: CaseAbility, loaded: LoadedCase): Permissions {
    const sections: Partial<Record<Section, SectionAccess>> = {};
    for (const section of SECTIONS) {
      if (this.can(ability, CaseAction.Update, loaded, section)) sections[section] = 'write';
      else if (this.can(ability, CaseAction.Read, loaded, section)) sections[section] = 'read';
    }
    return { sections, actions: LISTED_ACTIONS.filter((action) => this.can(ability, action, loaded)) };
  }

  readableSections(ability: CaseAbility, loaded: LoadedCase): Section[] {
    return SECTIONS.filter((section) => this.can(ability, CaseAction.Read, loaded, section));
  }

  /**
   * Why this user sees the case: their organisation's live participations and their own break-glass
   * grant. A purpose's `write` holds only where the rules allow the update now (not on a closed
   * case), so this answer never says more than the case's `permissions`.
   */
  grants(principal: Principal, loaded: LoadedCase): Grant[] {
    const ability = this.abilityFor(principal);
    const grants: Grant[] = loaded.participationDetails
      .filter((p) => p.organisationId === principal.organisationId)
      .map((p) => ({
        source: 'participation',
        organisationId: p.organisationId,
        purpose: p.purpose,
        legalBasis: p.legalBasis,
        sections: Object.fromEntries(
          Object.entries(PURPOSE_POLICY[p.purpose].sections).map(([section, access]) => [
            section,
            access === 'write' && !this.can(ability, CaseAction.Update, loaded, section as Section) ? 'read' : access,
          ]),
        ),
      }));
    for (const grant of loaded.breakGlassDetails.filter((g) => g.userId === principal.userId)) {
      grants.push({
        source: 'break_glass',
        organisationId: principal.organisationId,
        purpose: null,
        legalBasis: LegalBasis.BreakGlass,
        sections: Object.fromEntries(BREAK_GLASS_SECTIONS.map((s) => [s, 'read'])),
        expiresAt: grant.expiresAt.toISOString(),
        userId: grant.userId,
      });
    }
    return grants;
  }

  /** The legal bases under which this user touches these sections, for the audit trail. */
  legalBasis(principal: Principal, loaded: LoadedCase, sections: readonly Section[]): string | null {
    const bases = new Set<string>();
    for (const grant of this.grants(principal, loaded)) {
      if (sections.some((section) => grant.sections[section])) bases.add(grant.legalBasis);
    }
    return bases.size > 0 ? [...bases].sort().join(',') : null;
  }

  /** A newest-first page of the allowed case ids taken from the ordered relation indexes, when the rules allow that shape. */
  page(
    ability: CaseAbility,
    action: CaseAction,
    params: SqlParams,
    page: { limit: number; caseFilters: string[]; before?: { createdAt: string; id: string } },
  ): string | undefined {
    return caseAccessPage(ability, action, params, page);
  }

  /** SQL predicate over `"case" <alias>` selecting exactly the cases `action` is allowed on. */
  predicate(ability: CaseAbility, action: CaseAction, alias: string, params: SqlParams): string {
    return caseAccessPredicate(ability, action, alias, params);
  }

  private subjectOf(loaded: LoadedCase): CaseSubject {
    return {
      id: loaded.id,
      country: loaded.country,
      status: loaded.status,
      leadOrganisationId: loaded.leadOrganisationId,
      participations: loaded.participations,
      breakGlass: loaded.breakGlass,
    };
  }
}

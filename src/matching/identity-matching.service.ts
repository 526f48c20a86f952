import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { CaseAbility } from '../access/case-ability.factory';
import { Section } from '../access/policy';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { Principal, RequestMeta } from '../access/principal';
import { Problem } from '../common/problem';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Role } from '../access/role';
import { BlindIndexer, BlindIndexKind, type IdentityProbe, probeOfIdentity } from './blind-index';
import type { IdentityMatchDto, IdentityMatchQueryDto, MatchOrganisationDto } from './dto/identity-match.dto';
import { IdentityMatchRateLimit } from './identity-match.rate-limit';
import { IdentityIndexRepository } from './identity-index.repository';

/** Who may ask whether another agency already holds a case for a person (API.md, Finding cases). */
const MATCHING_ROLES: readonly Role[] = [Role.Officer, Role.Inspector, Role.Caseworker, Role.MigrationOfficer];

/** More candidates than this for one identity says the probe is too vague to be useful, not that there are more people. */
const MAX_MATCHES = 20;

/**
 * Finds cases of the same person across agencies through keyed blind indexes, never plaintext.
 * A match on a case the caller may read names it; any other match names only the lead
 * organisation to contact (`visible: false`), so a caller learns "someone at X holds a case for
 * this identity" and nothing else.
 */
@Injectable()
export class IdentityMatchingService {
  private readonly indexer: BlindIndexer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly index: IdentityIndexRepository,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly rateLimit: IdentityMatchRateLimit,
  ) {
    this.indexer = new BlindIndexer(config.matchIndexKeys);
  }

  /** Rewrites the case's blind indexes from its identity section as now stored; called in the transaction that writes it. */
  async reindex(manager: EntityManager, caseId: string, identity: Record<string, unknown>): Promise<void> {
    await this.index.replace(manager, caseId, this.indexer.termsToStore(probeOfIdentity(identity)));
  }

  /** POST /api/cases/identity-matches: rate-limited, audited, answered within what the caller may see. */
  async match(principal: Principal, query: IdentityMatchQueryDto, meta: RequestMeta): Promise<{ matches: IdentityMatchDto[] }> {
    const refusal = MATCHING_ROLES.includes(principal.role)
      ? await this.rateLimit.take(principal.userId)
      : Problem.forbidden('Identity matching is for officers, inspectors, caseworkers and migration officers');
    if (refusal) {
      if (refusal.statusCode !== 503) {
        await this.audit.recordNow({ action: AuditAction.CaseIdentityMatch, outcome: 'denied', actor: principal, sections: [Section.Identity], meta });
      }
      throw refusal;
    }
    const probe: IdentityProbe = {
      names: [query.fullName],
      dateOfBirth: query.dateOfBirth ?? null,
      documentNumbers: query.documentNumber ? [query.documentNumber] : [],
    };
    return this.dataSource.transaction(async (manager) => {
      const matches = await this.find(manager, this.access.abilityFor(principal), probe, {});
      await this.audit.record(manager, { action: AuditAction.CaseIdentityMatch, outcome: 'allowed', actor: principal, sections: [Section.Identity], meta });
      return { matches };
    });
  }

  /**
   * Matches of `probe` as the holder of `ability` may see them: strong ones (a document number,
   * or name with date of birth) first. `openOnly` leaves closed cases out; `strongOnly` possible matches.
   */
  async find(
    manager: EntityManager,
    ability: CaseAbility,
    probe: IdentityProbe,
    options: { excludeCaseId?: string; openOnly?: boolean; strongOnly?: boolean },
  ): Promise<IdentityMatchDto[]> {
    const hits = await this.index.find(manager, this.indexer.termsToSearch(probe), MAX_MATCHES + 1);
    const matches: Array<{ caseId: string; reference: string; leadOrganisationId: string; visible: boolean; strength: 'strong' | 'possible' }> = [];
    for (const hit of hits) {
      if (hit.caseId === options.excludeCaseId) continue;
      const strength = hit.kinds.some((kind) => kind !== BlindIndexKind.Name) ? 'strong' : 'possible';
      if (options.strongOnly && strength !== 'strong') continue;
      const loaded = await this.access.loadCase(manager, hit.caseId);
      if (!loaded || (options.openOnly && loaded.status !== 'open')) continue;
      matches.push({
        caseId: loaded.id,
        reference: loaded.reference,
        leadOrganisationId: loaded.leadOrganisationId,
        visible: this.access.isVisible(ability, loaded),
        strength,
      });
    }
    const organisations = await this.organisations(
      manager,
      matches.map((m) => m.leadOrganisationId),
    );
    return matches
      .slice(0, MAX_MATCHES)
      .map((m) => ({
        ...(m.visible ? { caseId: m.caseId, reference: m.reference } : {}),
        organisation: organisations.get(m.leadOrganisationId)!,
        visible: m.visible,
        strength: m.strength,
      }))
      .sort((a, b) => (a.strength === b.strength ? a.organisation.name.localeCompare(b.organisation.name) : a.strength === 'strong' ? -1 : 1));
  }

  private async organisations(manager: EntityManager, ids: string[]): Promise<Map<string, MatchOrganisationDto>> {
    if (ids.length === 0) return new Map();
    const rows: MatchOrganisationDto[] = await manager.query(`SELECT id, slug, name, type, country FROM organisation WHERE id = ANY($1::uuid[])`, [
      [...new Set(ids)],
    ]);
    return new Map(rows.map((row) => [row.id, { id: row.id, slug: row.slug, name: row.name, type: row.type, country: row.country }]));
  }
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * What a change to a case means for the aggregates other features own. Cases announce it here and
 * never touch those tables; participation and referrals register a listener and do their part in
 * the same transaction. Keeping the arrows pointing into cases is what keeps the modules acyclic.
 */
export interface CaseLifecycleListener {
  /** The case was just written: e.g. its lead participation. */
  caseOpened?(manager: EntityManager, event: { caseId: string; organisationId: string }): Promise<void>;
  /** The case is closing: beds go back, pending referrals are withdrawn. */
  caseClosing?(manager: EntityManager, event: { caseId: string; actorUserId: string }): Promise<void>;
  /** The victim withdrew these consents: what rested on them ends. Answers how many referrals were withdrawn. */
  consentWithdrawn?(manager: EntityManager, event: { caseId: string; consentIds: readonly string[]; actorUserId: string }): Promise<number>;
  /** The centres placing the victim of this case that take no minors (asked when the victim becomes a minor). */
  adultOnlyPlacements?(manager: EntityManager, caseId: string): Promise<string[]>;
  /**
   * How many of the case's values this feature still holds under a master key rather than the
   * case's data key (written before per-case keys): retention does not anonymise a case while any
   * remain, since destroying the case key would not shred them.
   */
  valuesUnderMasterKey?(manager: EntityManager, caseId: string): Promise<number>;
  /** The identity section was written: its nationality (or null), for statistics; no other identity field leaves cases. */
  nationalityRecorded?(manager: EntityManager, event: { caseId: string; nationality: string | null }): Promise<void>;
  /** Retention is anonymising the case (its data key is destroyed in the same transaction): erase what the key does not cover. */
  caseAnonymising?(manager: EntityManager, caseId: string): Promise<void>;
}

/**
 * The registry of listeners. They run in registration order, which is module order: participation
 * (beds) registers before referrals, which imports it; the statements keep the lock order the
 * referral answer uses.
 */
@Injectable()
export class CaseLifecycle {
  private readonly listeners: CaseLifecycleListener[] = [];

  register(listener: CaseLifecycleListener): void {
    this.listeners.push(listener);
  }

  async opened(manager: EntityManager, event: { caseId: string; organisationId: string }): Promise<void> {
    const listeners = this.listeners.filter((l) => l.caseOpened);
    // A case without its lead participation would be visible to nobody: refuse rather than write it.
    if (listeners.length === 0) throw new Error('no case lifecycle listener writes the lead participation');
    for (const listener of listeners) await listener.caseOpened!(manager, event);
  }

  async closing(manager: EntityManager, event: { caseId: string; actorUserId: string }): Promise<void> {
    for (const listener of this.listeners) await listener.caseClosing?.(manager, event);
  }

  async consentWithdrawn(manager: EntityManager, event: { caseId: string; consentIds: readonly string[]; actorUserId: string }): Promise<number> {
    let withdrawnReferrals = 0;
    for (const listener of this.listeners) withdrawnReferrals += (await listener.consentWithdrawn?.(manager, event)) ?? 0;
    return withdrawnReferrals;
  }

  async nationalityRecorded(manager: EntityManager, event: { caseId: string; nationality: string | null }): Promise<void> {
    for (const listener of this.listeners) await listener.nationalityRecorded?.(manager, event);
  }

  async valuesUnderMasterKey(manager: EntityManager, caseId: string): Promise<number> {
    let count = 0;
    for (const listener of this.listeners) count += (await listener.valuesUnderMasterKey?.(manager, caseId)) ?? 0;
    return count;
  }

  async anonymising(manager: EntityManager, caseId: string): Promise<void> {
    for (const listener of this.listeners) await listener.caseAnonymising?.(manager, caseId);
  }

  async adultOnlyPlacements(manager: EntityManager, caseId: string): Promise<string[]> {
    const found: string[] = [];
    for (const listener of this.listeners) found.push(...((await listener.adultOnlyPlacements?.(manager, caseId)) ?? []));
    return found;
  }
}

import { ABILITY_CACHE_MS, AccessService } from './access.service';
import { CaseAbilityFactory, CaseAction } from './case-ability.factory';
import { Country, OrganisationType } from './organisation-type';
import type { Principal } from './principal';
import { Role } from './role';

const officer: Principal = {
  userId: '00000000-0000-4000-8000-000000000001',
  sessionId: '00000000-0000-4000-8000-000000000002',
  organisationId: '00000000-0000-4000-8000-000000000003',
  organisationType: OrganisationType.Police,
  country: Country.BE,
  role: Role.Officer,
};

describe('AccessService.abilityFor', () => {
  afterEach(() => jest.useRealTimers());

  it('reuses the ability of the same principal for ABILITY_CACHE_MS, then builds it again', () => {
    jest.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
    const factory = new CaseAbilityFactory();
    const build = jest.spyOn(factory, 'createFor');
    const access = new AccessService(factory);
    const first = access.abilityFor(officer);
    expect(access.abilityFor({ ...officer })).toBe(first);
    jest.advanceTimersByTime(ABILITY_CACHE_MS);
    expect(access.abilityFor(officer)).not.toBe(first);
    expect(build).toHaveBeenCalledTimes(2);
  });

  it('builds a new ability when anything of the principal changes, and for an explicit time', () => {
    const access = new AccessService(new CaseAbilityFactory());
    const first = access.abilityFor(officer);
    const demoted = access.abilityFor({ ...officer, role: Role.Supervisor });
    expect(demoted).not.toBe(first);
    // Supervisors get no case rule at all (separation of duties): the cached officer ability must not leak to them.
    expect(demoted.can(CaseAction.Create, 'Case')).toBe(false);
    expect(first.can(CaseAction.Create, 'Case')).toBe(true);
    expect(access.abilityFor({ ...officer, sessionId: '00000000-0000-4000-8000-000000000009' })).not.toBe(first);
    expect(access.abilityFor(officer, new Date())).not.toBe(first);
  });
});

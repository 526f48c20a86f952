import { OrganisationType } from './organisation-type';

export enum Role {
  Officer = 'officer',
  Inspector = 'inspector',
  Prosecutor = 'prosecutor',
  Caseworker = 'caseworker',
  MigrationOfficer = 'migration_officer',
  Supervisor = 'supervisor',
  OrgAdmin = 'org_admin',
  PlatformAdmin = 'platform_admin',
}

export const ROLES = Object.values(Role);

/** Which role may belong to which kind of organisation (PRODUCT.md, Organisations and roles). */
export const ROLE_ORGANISATION_TYPES: Record<Role, readonly OrganisationType[]> = {
  [Role.Officer]: [OrganisationType.Police],
  [Role.Inspector]: [OrganisationType.LabourInspection],
  [Role.Prosecutor]: [OrganisationType.Prosecution],
  [Role.Caseworker]: [OrganisationType.ReceptionCentre],
  [Role.MigrationOfficer]: [OrganisationType.Migration],
  [Role.Supervisor]: Object.values(OrganisationType).filter((t) => t !== OrganisationType.Platform),
  [Role.OrgAdmin]: Object.values(OrganisationType),
  [Role.PlatformAdmin]: [OrganisationType.Platform],
};

/** The operational role of each organisation type: the only role that works on case content there. */
export const OPERATIONAL_ROLE: Partial<Record<OrganisationType, Role>> = {
  [OrganisationType.Police]: Role.Officer,
  [OrganisationType.LabourInspection]: Role.Inspector,
  [OrganisationType.Prosecution]: Role.Prosecutor,
  [OrganisationType.ReceptionCentre]: Role.Caseworker,
  [OrganisationType.Migration]: Role.MigrationOfficer,
};

export function isOperationalRole(role: Role): boolean {
  return Object.values(OPERATIONAL_ROLE).includes(role);
}

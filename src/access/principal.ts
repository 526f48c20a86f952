import type { Country, OrganisationType } from './organisation-type';
import type { Role } from './role';

/** Who is calling: the signed-in user with the attributes authorization decisions are made on. */
export interface Principal {
  userId: string;
  sessionId: string;
  organisationId: string;
  organisationType: OrganisationType;
  country: Country | null;
  role: Role;
}

/** Where a request came from, for the audit trail. */
export interface RequestMeta {
  requestId: string;
  ip: string;
}

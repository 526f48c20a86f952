import { randomUUID } from 'node:crypto';
import type { CreatedOrganisationDto } from '../../src/organisations/dto/organisation.dto';
import { Country, OrganisationType } from '../../src/access/organisation-type';
import type { TestApp } from '../support/app';

/** Password of every account the factories create (long enough for the policy). */
export const FACTORY_PASSWORD = 'factory-password-2026';

/** A slug-safe suffix, so specs sharing one database never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface OrganisationOptions {
  type?: OrganisationType;
  country?: Country | null;
  bedsTotal?: number;
  acceptsMinors?: boolean;
}

export interface CreatedOrganisation {
  organisation: CreatedOrganisationDto;
  adminEmail: string;
  adminToken: string;
}

/** A new organisation (through the API, as the platform admin) with its first org_admin signed in. */
export async function createOrganisation(t: TestApp, options: OrganisationOptions = {}): Promise<CreatedOrganisation> {
  const type = options.type ?? OrganisationType.Police;
  const slug = uniqueName(type.replace('_', '-'));
  const adminEmail = `admin@${slug}.test`;
  const body = {
    slug,
    name: `Test ${slug}`,
    type,
    ...(type === OrganisationType.Platform || options.country === null ? {} : { country: options.country ?? Country.BE }),
    ...(type === OrganisationType.ReceptionCentre ? { bedsTotal: options.bedsTotal ?? 5, acceptsMinors: options.acceptsMinors ?? false } : {}),
    admin: { email: adminEmail, name: `Admin of ${slug}`, password: FACTORY_PASSWORD },
  };
  const created = await t.post<CreatedOrganisationDto>('/api/organisations', body, await t.login('admin@platform.test'));
  if (created.status !== 201) throw new Error(`creating organisation ${slug} answered ${created.status}: ${created.text}`);
  return { organisation: created.body, adminEmail, adminToken: await t.login(adminEmail, FACTORY_PASSWORD) };
}

import { Client } from 'pg';
import { hashPassword } from '../auth/password';
import { Country, OrganisationType } from '../access/organisation-type';
import { Role } from '../access/role';

interface DemoOrganisation {
  slug: string;
  name: string;
  type: OrganisationType;
  country: Country | null;
  beds?: { total: number; acceptsMinors: boolean };
}

const NAMES: Record<Country, string> = { BE: 'Belgium', NL: 'the Netherlands', LU: 'Luxembourg' };

const perCountry = (type: OrganisationType, suffix: string, label: string): DemoOrganisation[] =>
  [Country.BE, Country.NL, Country.LU].map((country) => ({
    slug: `${country.toLowerCase()}-${suffix}`,
    name: `${label}, ${NAMES[country]}`,
    type,
    country,
  }));

/** The organisations of API.md's demo table. */
export const DEMO_ORGANISATIONS: DemoOrganisation[] = [
  ...perCountry(OrganisationType.Police, 'police', 'Police'),
  ...perCountry(OrganisationType.Prosecution, 'prosecution', 'Public Prosecution'),
  ...perCountry(OrganisationType.LabourInspection, 'labour', 'Labour Inspectorate'),
  {
    slug: 'be-shelter-antwerp',
    name: 'Reception Centre Antwerp',
    type: OrganisationType.ReceptionCentre,
    country: Country.BE,
    beds: { total: 8, acceptsMinors: false },
  },
  {
    slug: 'be-shelter-brussels',
    name: 'Reception Centre Brussels',
    type: OrganisationType.ReceptionCentre,
    country: Country.BE,
    beds: { total: 6, acceptsMinors: true },
  },
  {
    slug: 'nl-shelter-amsterdam',
    name: 'Reception Centre Amsterdam',
    type: OrganisationType.ReceptionCentre,
    country: Country.NL,
    beds: { total: 10, acceptsMinors: true },
  },
  {
    slug: 'lu-shelter',
    name: 'Reception Centre Luxembourg',
    type: OrganisationType.ReceptionCentre,
    country: Country.LU,
    beds: { total: 4, acceptsMinors: true },
  },
  ...perCountry(OrganisationType.Migration, 'migration', 'Migration Authority'),
  ...perCountry(OrganisationType.Oversight, 'oversight', 'Oversight Authority'),
  { slug: 'platform', name: 'Passage Platform', type: OrganisationType.Platform, country: null },
];

/** Users beyond `admin` and `supervisor`, by organisation type: `<local part>` → role. */
const OPERATIONAL_USERS: Partial<Record<OrganisationType, Array<[string, Role]>>> = {
  [OrganisationType.Police]: [
    ['officer', Role.Officer],
    ['officer2', Role.Officer],
  ],
  [OrganisationType.Prosecution]: [['prosecutor', Role.Prosecutor]],
  [OrganisationType.LabourInspection]: [['inspector', Role.Inspector]],
  [OrganisationType.ReceptionCentre]: [['caseworker', Role.Caseworker]],
  [OrganisationType.Migration]: [['migration-officer', Role.MigrationOfficer]],
};

export interface DemoUser {
  email: string;
  name: string;
  role: Role;
  organisationSlug: string;
}

export function demoUsers(): DemoUser[] {
  return DEMO_ORGANISATIONS.flatMap((org) => {
    if (org.type === OrganisationType.Platform) {
      return [{ email: `admin@${org.slug}.test`, name: 'Platform Admin', role: Role.PlatformAdmin, organisationSlug: org.slug }];
    }
    const users: Array<[string, Role]> = [['admin', Role.OrgAdmin], ['supervisor', Role.Supervisor], ...(OPERATIONAL_USERS[org.type] ?? [])];
    return users.map(([local, role]) => ({ email: `${local}@${org.slug}.test`, name: `${local} (${org.slug})`, role, organisationSlug: org.slug }));
  });
}

export interface SeedResult {
  organisations: number;
  users: number;
  created: boolean;
}

/** Idempotent: what exists is left exactly as it is; only what is missing is created. */
export async function seedDemoData(databaseUrl: string, password: string): Promise<SeedResult> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    let created = false;
    await client.query('BEGIN');
    for (const org of DEMO_ORGANISATIONS) {
      const result = await client.query(
        `INSERT INTO organisation (slug, name, type, country, beds_total, beds_available, accepts_minors)
         VALUES ($1, $2, $3, $4, $5, $5, $6) ON CONFLICT (slug) DO NOTHING`,
        [org.slug, org.name, org.type, org.country, org.beds?.total ?? null, org.beds?.acceptsMinors ?? null],
      );
      created ||= (result.rowCount ?? 0) > 0;
    }
    const users = demoUsers();
    const existing = await client.query<{ email: string }>(`SELECT email FROM "user" WHERE email = ANY($1::citext[])`, [users.map((u) => u.email)]);
    const known = new Set(existing.rows.map((row) => row.email.toLowerCase()));
    for (const user of users.filter((u) => !known.has(u.email))) {
      const hash = await hashPassword(password);
      await client.query(
        `INSERT INTO "user" (organisation_id, email, name, role, password_hash)
         SELECT id, $2, $3, $4, $5 FROM organisation WHERE slug = $1 ON CONFLICT (email) DO NOTHING`,
        [user.organisationSlug, user.email, user.name, user.role, hash],
      );
      created = true;
    }
    await client.query('COMMIT');
    return { organisations: DEMO_ORGANISATIONS.length, users: users.length, created };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

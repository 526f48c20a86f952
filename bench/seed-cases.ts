import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { LegalBasis, Purpose, Section, SECTIONS } from '../src/access/policy';
import { CaseSectionsStore } from '../src/cases/case-sections.store';
import { AGE_GROUPS, EXPLOITATION_TYPES, GENDERS, HANDLING_CODES, ILO_INDICATORS, RISK_LEVELS } from '../src/cases/sections/section-schemas';
import type { Sealer } from '../src/common/crypto';
import { Country, OrganisationType } from '../src/access/organisation-type';
import { OPERATIONAL_ROLE, Role } from '../src/access/role';
import type { Random } from './random';

export interface DirectoryOrganisation {
  id: string;
  slug: string;
  name: string;
  type: OrganisationType;
  country: Country | null;
  operationalUserIds: string[];
}

export interface DirectoryUser {
  id: string;
  email: string;
  role: Role;
  organisationId: string;
  country: Country | null;
}

/** The seeded demo organisations and users, as the bulk seeders need them. */
export interface Directory {
  organisations: DirectoryOrganisation[];
  users: DirectoryUser[];
}

export async function loadDirectory(client: Client): Promise<Directory> {
  const orgs = await client.query<{ id: string; slug: string; name: string; type: OrganisationType; country: Country | null }>(
    `SELECT id, slug, name, type, country FROM organisation ORDER BY slug`,
  );
  const users = await client.query<{ id: string; email: string; role: Role; organisation_id: string; country: Country | null }>(
    `SELECT u.id, u.email::text AS email, u.role, u.organisation_id, o.country FROM "user" u JOIN organisation o ON o.id = u.organisation_id ORDER BY u.email`,
  );
  return {
    organisations: orgs.rows.map((org) => ({
      ...org,
      operationalUserIds: users.rows.filter((u) => u.organisation_id === org.id && OPERATIONAL_ROLE[org.type] === u.role).map((u) => u.id),
    })),
    users: users.rows.map((u) => ({ id: u.id, email: u.email, role: u.role, organisationId: u.organisation_id, country: u.country })),
  };
}

/** A case as later phases need it (audit events name real cases). */
export interface SeededCase {
  id: string;
  leadOrganisationId: string;
  country: Country;
}

export interface CaseSeedStats {
  cases: number;
  byCountry: Record<string, number>;
  closed: number;
  sections: number;
  sealedSections: number;
  consents: number;
  /** Per purpose: [live, revoked]. */
  participations: Record<string, { live: number; revoked: number }>;
  breakGlass: { live: number; expired: number };
  seconds: number;
  /** Of `seconds`, the time the generator waited for PostgreSQL (the inserts of one batch overlap the generation of the next). */
  waitSeconds: number;
}

interface CountryOrganisations {
  police: DirectoryOrganisation;
  prosecution: DirectoryOrganisation;
  labour: DirectoryOrganisation;
  migration: DirectoryOrganisation;
  shelters: DirectoryOrganisation[];
}

interface PlannedParticipation {
  organisation: DirectoryOrganisation;
  purpose: Purpose;
  legalBasis: LegalBasis;
  revokedReason?: 'consent_withdrawn' | 'placement_ended' | 'other';
}

/** A promise whose failure is only reported when awaited (it is awaited one batch later, by design). */
export function settled(promise: Promise<unknown>): Promise<void> {
  const done = promise.then(() => undefined);
  done.catch(() => undefined);
  return done;
}

interface BulkPart {
  statement(firstParameter: number): { sql: string; parameters: unknown[] };
}

/**
 * Rows of one table held as column arrays, inserted by `INSERT ... SELECT FROM unnest($1::type[], ...)`:
 * one array parameter per column whatever the number of rows. A `[]` type (a text[] column) travels
 * as the array's text literal. A bytea column travels as one binary parameter holding every value
 * back to back plus arrays of offsets and lengths, which spares hex-encoding megabytes of ciphertext.
 */
class Rows<K extends string> implements BulkPart {
  private readonly names: K[];
  private readonly columns: unknown[][];

  constructor(
    private readonly table: string,
    private readonly types: Record<K, string>,
  ) {
    this.names = Object.keys(types) as K[];
    this.columns = this.names.map(() => []);
  }

  push(row: Record<K, unknown>): void {
    this.names.forEach((name, index) => this.columns[index]!.push(row[name]));
  }

  get length(): number {
    return this.columns[0]!.length;
  }

  statement(firstParameter: number): { sql: string; parameters: unknown[] } {
    const unnested: string[] = [];
    const aliases: string[] = [];
    const selected: string[] = [];
    const parameters: unknown[] = [];
    const next = (value: unknown): string => {
      parameters.push(value);
      return `$${firstParameter + parameters.length - 1}`;
    };
    this.names.forEach((name, index) => {
      const type = this.types[name];
      const values = this.columns[index]!;
      if (type === 'bytea') {
        const buffers = values as Array<Buffer | null>;
        const starts: Array<number | null> = [];
        const lengths: Array<number | null> = [];
        let at = 1;
        for (const value of buffers) {
          starts.push(value ? at : null);
          lengths.push(value ? value.length : null);
          at += value ? value.length : 0;
        }
        const blob = next(Buffer.concat(buffers.filter((value): value is Buffer => value !== null)));
        unnested.push(`${next(starts)}::int[]`, `${next(lengths)}::int[]`);
        aliases.push(`${name}_at`, `${name}_length`);
        selected.push(`substring(${blob}::bytea from t.${name}_at for t.${name}_length)`);
      } else if (type.endsWith('[]')) {
        unnested.push(`${next(values)}::text[]`);
        aliases.push(name);
        selected.push(`t.${name}::${type}`);
      } else {
        unnested.push(`${next(values)}::${type}[]`);
        aliases.push(name);
        selected.push(`t.${name}`);
      }
    });
    return {
      sql: `INSERT INTO ${this.table} (${this.names.join(', ')}) SELECT ${selected.join(', ')} FROM unnest(${unnested.join(', ')}) AS t(${aliases.join(', ')})`,
      parameters,
    };
  }
}

/** Several tables' rows in one statement (one data-modifying CTE each), so a batch is a single round trip. */
function bulkInsert(client: Client, parts: readonly BulkPart[]): Promise<unknown> {
  const statements: string[] = [];
  const parameters: unknown[] = [];
  for (const part of parts) {
    const { sql, parameters: more } = part.statement(parameters.length + 1);
    statements.push(`i${statements.length} AS (${sql})`);
    parameters.push(...more);
  }
  return client.query(`WITH ${statements.join(',\n')} SELECT 1`, parameters);
}

const COUNTRIES: ReadonlyArray<readonly [Country, number]> = [
  [Country.BE, 50],
  [Country.NL, 42],
  [Country.LU, 8],
];
const DAY = 86_400_000;
const HOUR = 3_600_000;
const BATCH = 5_000;
const FIRST_NAMES = ['Amina', 'Ioana', 'Mehmet', 'Grace', 'Olena', 'Tran', 'Blessing', 'Marek', 'Fatima', 'Joy', 'Andrei', 'Li', 'Esther', 'Daniel'];
const LAST_NAMES = ['Okafor', 'Popescu', 'Yilmaz', 'Nguyen', 'Kowalski', 'Haddad', 'Mensah', 'Petrov', 'Ionescu', 'Osei', 'Kovac', 'Diallo'];
const NATIONALITIES = ['NG', 'RO', 'BG', 'VN', 'UA', 'MA', 'ER', 'AL', 'BR', 'CN', 'IN', 'PH'];
const LANGUAGES = ['en', 'fr', 'nl', 'ro', 'bg', 'vi', 'uk', 'ar', 'ti', 'pt', 'zh'];
const CITIES = ['Antwerpen', 'Brussel', 'Gent', 'Liège', 'Amsterdam', 'Rotterdam', 'Den Haag', 'Eindhoven', 'Luxembourg', 'Esch-sur-Alzette'];

/**
 * Bulk-loads `count` cases with a realistic spread of participations straight into the tables, in
 * batches of multi-row INSERTs (one array parameter per column), sensitive sections sealed with the
 * application's Sealer and bound to their row exactly as CaseSectionsStore does, so the API reads them.
 */
/** Runs in its own transaction; on failure the caller drops the database, so there is nothing to roll back. */
export async function seedCases(
  client: Client,
  directory: Directory,
  sealer: Sealer,
  random: Random,
  count: number,
  log: (line: string) => void,
): Promise<{ cases: SeededCase[]; stats: CaseSeedStats }> {
  const started = performance.now();
  const bySlug = new Map(directory.organisations.map((org) => [org.slug, org]));
  const org = (slug: string): DirectoryOrganisation => {
    const found = bySlug.get(slug);
    if (!found) throw new Error(`demo organisation ${slug} is missing: did the seed change?`);
    return found;
  };
  const byCountry = new Map<Country, CountryOrganisations>(
    Object.values(Country).map((country) => {
      const cc = country.toLowerCase();
      const shelters = directory.organisations.filter((o) => o.type === OrganisationType.ReceptionCentre && o.country === country);
      return [
        country,
        { police: org(`${cc}-police`), prosecution: org(`${cc}-prosecution`), labour: org(`${cc}-labour`), migration: org(`${cc}-migration`), shelters },
      ];
    }),
  );
  const orgsOf = (country: Country): CountryOrganisations => byCountry.get(country)!;
  const operationalOrgs = (country: Country): DirectoryOrganisation[] =>
    directory.organisations.filter((o) => o.country === country && o.operationalUserIds.length > 0);
  const supervisors = new Map(directory.users.filter((u) => u.role === Role.Supervisor).map((u) => [u.organisationId, u.id]));

  const now = Date.now();
  const end = now - HOUR;
  const start = end - 5 * 365 * DAY;
  const step = (end - start) / count;
  const iso = (ms: number): string => new Date(Math.min(ms, now)).toISOString();
  const between = (from: number, to: number): number => from + random.next() * Math.max(0, to - from);

  const counters = new Map<string, number>();
  const seeded: SeededCase[] = [];
  const stats: CaseSeedStats = {
    cases: 0,
    byCountry: {},
    closed: 0,
    sections: 0,
    sealedSections: 0,
    consents: 0,
    participations: {},
    breakGlass: { live: 0, expired: 0 },
    seconds: 0,
    waitSeconds: 0,
  };

  await client.query('BEGIN');
  // Foreign-key triggers off for this transaction (superuser only): the rows are consistent by
  // construction, and checkReferences proves it afterwards with one anti-join per reference.
  await client.query(`SET LOCAL session_replication_role = replica`);
  // Continue the numbering of cases already there (a scale step adds to a seeded database).
  const existing = await client.query<{ country: string; year: number; last_value: number }>(`SELECT country, year, last_value FROM case_reference_counter`);
  for (const row of existing.rows) counters.set(`${row.country}:${row.year}`, Number(row.last_value));
  // The batch PostgreSQL is inserting while the next one is generated.
  let inFlight: Promise<void> = Promise.resolve();
  for (let batchStart = 0; batchStart < count; batchStart += BATCH) {
    const cases = new Rows('"case"', {
      id: 'uuid',
      reference: 'text',
      country: 'text',
      lead_organisation_id: 'uuid',
      status: 'text',
      minor: 'boolean',
      exploitation_types: 'text[]',
      close_reason: 'text',
      closed_at: 'timestamptz',
      created_by: 'uuid',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    });
    const sections = new Rows('case_section', {
      case_id: 'uuid',
      section: 'text',
      version: 'integer',
      data: 'jsonb',
      key_id: 'text',
      ciphertext: 'bytea',
      updated_at: 'timestamptz',
      updated_by: 'uuid',
    });
    const consents = new Rows('consent', {
      id: 'uuid',
      case_id: 'uuid',
      organisation_id: 'uuid',
      given_by: 'text',
      recorded_at: 'timestamptz',
      recorded_by: 'uuid',
      created_at: 'timestamptz',
      withdrawn_at: 'timestamptz',
      withdrawn_by: 'uuid',
    });
    const participations = new Rows('participation', {
      case_id: 'uuid',
      organisation_id: 'uuid',
      purpose: 'text',
      legal_basis: 'text',
      consent_id: 'uuid',
      created_at: 'timestamptz',
      revoked_at: 'timestamptz',
      revoked_reason: 'text',
      // Filled by a trigger in the application; triggers are off during this bulk load.
      case_created_at: 'timestamptz',
    });
    const grants = new Rows('break_glass_grant', {
      case_id: 'uuid',
      user_id: 'uuid',
      organisation_id: 'uuid',
      justification: 'text',
      created_at: 'timestamptz',
      case_created_at: 'timestamptz',
      expires_at: 'timestamptz',
      reviewed_at: 'timestamptz',
      reviewed_by: 'uuid',
      review_note: 'text',
    });

    for (let i = batchStart; i < Math.min(count, batchStart + BATCH); i += 1) {
      const id = randomUUID();
      const country = random.weighted(COUNTRIES);
      const orgs = orgsOf(country);
      const policeLed = random.chance(0.8);
      const lead = policeLed ? orgs.police : orgs.labour;
      const creator = random.pick(lead.operationalUserIds);
      const createdAt = start + (i + random.next()) * step;
      const year = new Date(createdAt).getUTCFullYear();
      const counterKey = `${country}:${year}`;
      const number = (counters.get(counterKey) ?? 0) + 1;
      counters.set(counterKey, number);
      // Older cases are more often closed: about 30% overall.
      const closed = random.chance(0.6 * (1 - i / count));
      const closedAt = closed ? between(createdAt + DAY, end) : undefined;
      const minor = random.chance(0.15);
      const types = random.sample(
        EXPLOITATION_TYPES,
        random.weighted([
          [1, 75],
          [2, 22],
          [3, 3],
        ] as const),
      );

      const planned: PlannedParticipation[] = [{ organisation: lead, purpose: Purpose.Lead, legalBasis: LegalBasis.Lead }];
      const others = Object.values(Country).filter((c) => c !== country);
      if (random.chance(0.3)) {
        const shelterCountry = random.chance(0.05) ? random.pick(others) : country;
        // Most placements have ended by now; the centre no longer sees those cases.
        planned.push({
          organisation: random.pick(orgsOf(shelterCountry).shelters),
          purpose: Purpose.Shelter,
          legalBasis: LegalBasis.Consent,
          revokedReason: random.chance(0.45) ? 'placement_ended' : random.chance(0.05) ? 'consent_withdrawn' : undefined,
        });
      }
      if (random.chance(0.2)) {
        const crossBorder = random.chance(0.05);
        planned.push({
          organisation: orgsOf(crossBorder ? random.pick(others) : country).prosecution,
          purpose: Purpose.Prosecution,
          legalBasis: crossBorder ? LegalBasis.Treaty : LegalBasis.LawEnforcement,
          revokedReason: random.chance(0.05) ? 'other' : undefined,
        });
      }
      if (random.chance(0.1)) {
        planned.push({
          organisation: orgs.migration,
          purpose: Purpose.Residence,
          legalBasis: LegalBasis.Consent,
          revokedReason: random.chance(0.1) ? 'consent_withdrawn' : undefined,
        });
      }
      if (policeLed && random.chance(0.04)) {
        planned.push({ organisation: orgs.labour, purpose: Purpose.LabourInspection, legalBasis: LegalBasis.Consent });
      }
      if (!policeLed && random.chance(0.3)) {
        planned.push({ organisation: orgs.police, purpose: Purpose.Investigation, legalBasis: LegalBasis.LawEnforcement });
      }
      if (random.chance(0.03)) {
        planned.push({ organisation: orgsOf(random.pick(others)).police, purpose: Purpose.Investigation, legalBasis: LegalBasis.Treaty });
      }

      let lastChange = closedAt ?? createdAt;
      for (const [index, p] of planned.entries()) {
        const joinedAt = index === 0 ? createdAt : between(createdAt + HOUR, Math.min(createdAt + 30 * DAY, closedAt ?? end));
        const revokedAt = p.revokedReason ? between(joinedAt + DAY, closedAt ?? end) : undefined;
        lastChange = Math.max(lastChange, revokedAt ?? joinedAt);
        let consentId: string | null = null;
        if (p.legalBasis === LegalBasis.Consent) {
          consentId = randomUUID();
          const withdrawn = p.revokedReason === 'consent_withdrawn';
          consents.push({
            id: consentId,
            case_id: id,
            organisation_id: p.organisation.id,
            given_by: minor ? 'guardian' : 'victim',
            recorded_at: iso(joinedAt - HOUR),
            recorded_by: creator,
            created_at: iso(joinedAt - HOUR),
            withdrawn_at: withdrawn ? iso(revokedAt!) : null,
            withdrawn_by: withdrawn ? creator : null,
          });
          stats.consents += 1;
        }
        participations.push({
          case_id: id,
          organisation_id: p.organisation.id,
          purpose: p.purpose,
          legal_basis: p.legalBasis,
          consent_id: consentId,
          created_at: iso(joinedAt),
          revoked_at: revokedAt === undefined ? null : iso(revokedAt),
          revoked_reason: p.revokedReason ?? null,
          case_created_at: iso(createdAt),
        });
        const tally = (stats.participations[p.purpose] ??= { live: 0, revoked: 0 });
        if (p.revokedReason) tally.revoked += 1;
        else tally.live += 1;
      }

      // Break-glass: an operational user of the case's country whose organisation takes no part.
      if (random.chance(0.003)) {
        const taking = new Set(planned.filter((p) => !p.revokedReason).map((p) => p.organisation.id));
        const candidates = operationalOrgs(country).filter((o) => !taking.has(o.id));
        if (candidates.length > 0) {
          const grantOrg = random.pick(candidates);
          const live = random.chance(1 / 3) && !closed;
          const grantedAt = live ? now - random.next() * 3 * HOUR : between(createdAt + HOUR, (closedAt ?? end) - 5 * HOUR);
          const reviewed = !live && random.chance(0.8);
          grants.push({
            case_id: id,
            user_id: random.pick(grantOrg.operationalUserIds),
            organisation_id: grantOrg.id,
            justification: 'Victim presented at night; lead organisation unreachable, identity needed for safeguarding.',
            created_at: iso(grantedAt),
            case_created_at: iso(createdAt),
            expires_at: iso(grantedAt + 4 * HOUR),
            reviewed_at: reviewed ? iso(grantedAt + DAY) : null,
            reviewed_by: reviewed ? (supervisors.get(lead.id) ?? null) : null,
            review_note: reviewed ? 'Justified.' : null,
          });
          if (live) stats.breakGlass.live += 1;
          else stats.breakGlass.expired += 1;
        }
      }

      const shelter = planned.find((p) => p.purpose === Purpose.Shelter);
      const residence = planned.find((p) => p.purpose === Purpose.Residence);
      const contents: Record<Section, Record<string, unknown>> = {
        [Section.Summary]: {
          exploitationTypes: types,
          indicators: random.sample(ILO_INDICATORS, random.int(0, 4)),
          minor,
          ageGroup: minor ? random.pick(['0-11', '12-17']) : random.pick(AGE_GROUPS.slice(2)),
          gender: random.pick(GENDERS),
          languages: random.sample(LANGUAGES, random.int(1, 2)),
          needs: random.chance(0.5) ? ['safe accommodation', 'legal counsel'] : [],
          riskLevel: random.pick(RISK_LEVELS),
        },
        [Section.Identity]: {
          fullName: `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`,
          aliases: random.chance(0.3) ? [random.pick(FIRST_NAMES)] : [],
          dateOfBirth: `${minor ? random.int(2009, 2014) : random.int(1960, 2007)}-0${random.int(1, 9)}-1${random.int(0, 9)}`,
          nationality: random.pick(NATIONALITIES),
          documents: random.chance(0.6)
            ? [{ type: 'passport', number: `P${random.int(1_000_000, 9_999_999)}`, issuingCountry: random.pick(NATIONALITIES) }]
            : [],
          contact: { phone: `+32 4${random.int(10_000_000, 99_999_999)}`, address: `${random.int(1, 200)} Rue de la Gare, ${random.pick(CITIES)}` },
        },
        [Section.Care]: shelter
          ? {
              placement: shelter.organisation.name,
              medicalNeeds: 'Follow-up for untreated injuries; medication twice daily.',
              psychosocialNeeds: 'Trauma counselling, weekly.',
              interpreterLanguage: random.pick(LANGUAGES),
            }
          : {},
        [Section.Investigation]: {
          statementSummary: 'Recruited through an online job offer, documents retained on arrival, debt of several thousand euros imposed.',
          suspects: [{ name: `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`, role: 'recruiter' }],
          locations: [random.pick(CITIES)],
          evidenceRefs: [`EV-${random.int(100_000, 999_999)}`],
          policeReportNumber: `${country}-PV-${random.int(1_000_000, 9_999_999)}`,
          handlingCode: random.pick(HANDLING_CODES),
        },
        [Section.Immigration]: residence
          ? { residenceStatus: 'reflection_period', reflectionPeriod: { start: iso(createdAt).slice(0, 10), end: iso(createdAt + 45 * DAY).slice(0, 10) } }
          : { residenceStatus: 'none' },
      };
      for (const section of SECTIONS) {
        const data = contents[section];
        if (section === Section.Summary) {
          sections.push({
            case_id: id,
            section,
            version: 1,
            data: JSON.stringify(data),
            key_id: null,
            ciphertext: null,
            updated_at: iso(createdAt),
            updated_by: creator,
          });
        } else {
          const sealed = sealer.sealJson(data, CaseSectionsStore.associatedData(id, section));
          sections.push({
            case_id: id,
            section,
            version: 1,
            data: null,
            key_id: sealed.keyId,
            ciphertext: sealed.ciphertext,
            updated_at: iso(createdAt),
            updated_by: creator,
          });
          stats.sealedSections += 1;
        }
        stats.sections += 1;
      }

      cases.push({
        id,
        reference: `${country}-${year}-${String(number).padStart(6, '0')}`,
        country,
        lead_organisation_id: lead.id,
        status: closed ? 'closed' : 'open',
        minor,
        exploitation_types: `{${types.join(',')}}`,
        close_reason: closed ? random.pick(['referred_elsewhere', 'returned_home', 'permit_granted', 'not_a_victim', 'lost_contact', 'other']) : null,
        closed_at: closedAt === undefined ? null : iso(closedAt),
        created_by: creator,
        created_at: iso(createdAt),
        updated_at: iso(lastChange),
      });
      seeded.push({ id, leadOrganisationId: lead.id, country });
      stats.byCountry[country] = (stats.byCountry[country] ?? 0) + 1;
      if (closed) stats.closed += 1;
    }

    const waitStarted = performance.now();
    await inFlight;
    stats.waitSeconds += (performance.now() - waitStarted) / 1000;
    // Sent without waiting: PostgreSQL inserts this batch while the next one is generated and sealed.
    inFlight = settled(bulkInsert(client, [cases, sections, consents, participations, grants]));
    stats.cases += cases.length;
    if ((batchStart / BATCH) % 5 === 4) log(progress(stats.cases, count, (performance.now() - started) / 1000));
  }

  const waitStarted = performance.now();
  await inFlight;
  stats.waitSeconds += (performance.now() - waitStarted) / 1000;

  // New cases created through the API continue the numbering instead of colliding with the bulk-loaded references.
  for (const [key, last] of counters) {
    const [country, year] = key.split(':');
    await client.query(
      `INSERT INTO case_reference_counter (country, year, last_value) VALUES ($1, $2, $3)
       ON CONFLICT (country, year) DO UPDATE SET last_value = GREATEST(case_reference_counter.last_value, EXCLUDED.last_value)`,
      [country, Number(year), last],
    );
  }
  await client.query('COMMIT');
  stats.seconds = (performance.now() - started) / 1000;
  await checkReferences(client);
  return { cases: seeded, stats };
}

/** `[#####-----]  40% 400,000 of 1,000,000 cases, 9,500/s, ETA 63 s`: the seeding's progress bar, one line per step. */
function progress(done: number, total: number, seconds: number): string {
  const width = 20;
  const filled = Math.round((done / total) * width);
  const rate = done / Math.max(seconds, 0.001);
  return (
    `  [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round((done / total) * 100)).padStart(3)}% ` +
    `${done.toLocaleString('en')} of ${total.toLocaleString('en')} cases, ${Math.round(rate).toLocaleString('en')}/s, ETA ${Math.round((total - done) / rate)} s`
  );
}

/** Every foreign key the bulk load filled, checked once with the triggers back on: no row may point nowhere. */
async function checkReferences(client: Client): Promise<void> {
  const references: Array<[string, string, string]> = [
    ['"case"', 'lead_organisation_id', 'organisation'],
    ['"case"', 'created_by', '"user"'],
    ['case_section', 'case_id', '"case"'],
    ['case_section', 'updated_by', '"user"'],
    ['consent', 'case_id', '"case"'],
    ['consent', 'organisation_id', 'organisation'],
    ['consent', 'recorded_by', '"user"'],
    ['participation', 'case_id', '"case"'],
    ['participation', 'organisation_id', 'organisation'],
    ['participation', 'consent_id', 'consent'],
    ['break_glass_grant', 'case_id', '"case"'],
    ['break_glass_grant', 'user_id', '"user"'],
    ['break_glass_grant', 'reviewed_by', '"user"'],
  ];
  for (const [table, column, target] of references) {
    const orphans = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} t WHERE t.${column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${target} r WHERE r.id = t.${column})`,
    );
    if (orphans.rows[0]!.n > 0) throw new Error(`bulk load left ${orphans.rows[0]!.n} rows of ${table}.${column} pointing nowhere`);
  }
}

import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { TestApp } from './app';

/**
 * Letters only: identity matching drops digits from names, so a name made unique with digits
 * would match other test cases' names.
 */
export function uniqueLetters(length = 10): string {
  return [...randomBytes(length)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('');
}

/** A minimal valid case body; override only what a spec cares about. */
export function caseBody(overrides: { summary?: Record<string, unknown>; identity?: Record<string, unknown>; investigation?: Record<string, unknown> } = {}) {
  return {
    summary: { exploitationTypes: ['labour'], minor: false, ageGroup: '26-40', languages: ['ro'], riskLevel: 'medium', ...overrides.summary },
    identity: { fullName: `Test Person ${uniqueLetters()}`, dateOfBirth: '1990-04-12', nationality: 'RO', ...overrides.identity },
    investigation: { statementSummary: 'Statement taken at the station.', handlingCode: 'H1', ...overrides.investigation },
  };
}

export interface CreatedCase {
  id: string;
  reference: string;
  identity: { fullName: string };
}

export async function createCase(t: TestApp, token: string, body = caseBody()): Promise<CreatedCase> {
  const response = await t.post<CreatedCase>('/api/cases', body, token);
  if (response.status !== 201) throw new Error(`create case answered ${response.status}: ${response.text}`);
  return response.body;
}

export async function organisationId(dataSource: DataSource, slug: string): Promise<string> {
  const rows: Array<{ id: string }> = await dataSource.query(`SELECT id FROM organisation WHERE slug = $1`, [slug]);
  if (!rows[0]) throw new Error(`no organisation ${slug}`);
  return rows[0].id;
}

export async function userId(dataSource: DataSource, email: string): Promise<string> {
  const rows: Array<{ id: string }> = await dataSource.query(`SELECT id FROM "user" WHERE email = $1`, [email]);
  if (!rows[0]) throw new Error(`no user ${email}`);
  return rows[0].id;
}

/**
 * A participation set up directly in the database, for specs about what a participation grants
 * (the referral flow that normally creates them has its own specs).
 */
export async function addParticipation(
  dataSource: DataSource,
  caseId: string,
  slug: string,
  purpose: string,
  options: { legalBasis?: string; revoked?: boolean } = {},
): Promise<string> {
  const orgId = await organisationId(dataSource, slug);
  const legalBasis = options.legalBasis ?? 'law_enforcement';
  let consentId: string | null = null;
  if (legalBasis === 'consent') {
    const creator = (await dataSource.query(`SELECT created_by FROM "case" WHERE id = $1`, [caseId])) as Array<{ created_by: string }>;
    const consents: Array<{ id: string }> = await dataSource.query(
      `INSERT INTO consent (case_id, organisation_id, given_by, recorded_at, recorded_by) VALUES ($1, $2, 'victim', now(), $3) RETURNING id`,
      [caseId, orgId, creator[0]!.created_by],
    );
    consentId = consents[0]!.id;
  }
  const rows: Array<{ id: string }> = await dataSource.query(
    `INSERT INTO participation (case_id, organisation_id, purpose, legal_basis, consent_id, revoked_at, revoked_reason)
     VALUES ($1, $2, $3, $4, $5, ${options.revoked ? `now(), 'other'` : 'NULL, NULL'}) RETURNING id`,
    [caseId, orgId, purpose, legalBasis, consentId],
  );
  return rows[0]!.id;
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CaseFile1764400000200 implements MigrationInterface {
  name = 'CaseFile1764400000200';

  async up(db: QueryRunner): Promise<void> {
    // Gapless per-country, per-year numbering: the row lock serialises creators, a rollback gives the number back.
    await db.query(`
      CREATE TABLE case_reference_counter (
        country char(2) NOT NULL,
        year integer NOT NULL,
        last_value integer NOT NULL,
        PRIMARY KEY (country, year)
      )`);

    await db.query(`
      CREATE TABLE "case" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reference text NOT NULL UNIQUE,
        country char(2) NOT NULL CHECK (country IN ('BE','NL','LU')),
        lead_organisation_id uuid NOT NULL REFERENCES organisation(id),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
        -- Copies of summary fields the list filters on (the summary itself is in case_section).
        minor boolean NOT NULL,
        exploitation_types text[] NOT NULL,
        close_reason text CHECK (close_reason IN ('referred_elsewhere','returned_home','permit_granted','not_a_victim','lost_contact','other')),
        closed_at timestamptz,
        created_by uuid NOT NULL REFERENCES "user"(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT case_closed_consistent CHECK ((status = 'closed') = (closed_at IS NOT NULL AND close_reason IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX case_newest_idx ON "case" (created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX case_country_newest_idx ON "case" (country, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX case_lead_idx ON "case" (lead_organisation_id, created_at DESC)`);

    // One row per case and section. The summary is plain JSON (low sensitivity); the others are
    // AES-256-GCM ciphertext sealed by the application, with the id of the key that sealed it.
    await db.query(`
      CREATE TABLE case_section (
        case_id uuid NOT NULL REFERENCES "case"(id),
        section text NOT NULL CHECK (section IN ('summary','identity','care','investigation','immigration')),
        version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        data jsonb,
        key_id text,
        ciphertext bytea,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid REFERENCES "user"(id),
        PRIMARY KEY (case_id, section),
        CONSTRAINT case_section_storage CHECK (
          (section = 'summary' AND data IS NOT NULL AND ciphertext IS NULL AND key_id IS NULL)
          OR (section <> 'summary' AND data IS NULL AND ciphertext IS NOT NULL AND key_id IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX case_section_key_idx ON case_section (key_id) WHERE key_id IS NOT NULL`);

    // The victim's recorded consent to a referral; withdrawing it revokes what rests on it.
    await db.query(`
      CREATE TABLE consent (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES "case"(id),
        organisation_id uuid NOT NULL REFERENCES organisation(id),
        given_by text NOT NULL CHECK (given_by IN ('victim','guardian')),
        recorded_at timestamptz NOT NULL,
        recorded_by uuid NOT NULL REFERENCES "user"(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        withdrawn_at timestamptz,
        withdrawn_by uuid REFERENCES "user"(id)
      )`);
    await db.query(`CREATE INDEX consent_case_org_idx ON consent (case_id, organisation_id) WHERE withdrawn_at IS NULL`);

    await db.query(`
      CREATE TABLE participation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES "case"(id),
        organisation_id uuid NOT NULL REFERENCES organisation(id),
        purpose text NOT NULL CHECK (purpose IN ('lead','shelter','prosecution','investigation','labour_inspection','residence')),
        legal_basis text NOT NULL CHECK (legal_basis IN ('lead','law_enforcement','treaty','consent')),
        consent_id uuid REFERENCES consent(id),
        referral_id uuid,
        -- A shelter participation occupies one bed of the centre until the placement ends or the case closes.
        holds_bed boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_reason text CHECK (revoked_reason IN ('consent_withdrawn','placement_ended','case_closed','other')),
        CONSTRAINT participation_consent_basis CHECK ((legal_basis = 'consent') = (consent_id IS NOT NULL))
      )`);
    await db.query(`CREATE UNIQUE INDEX participation_live_uq ON participation (case_id, organisation_id, purpose) WHERE revoked_at IS NULL`);
    // The list query's EXISTS probes by (case, organisation); the inbox of an organisation goes by organisation.
    await db.query(`CREATE INDEX participation_case_org_live_idx ON participation (case_id, organisation_id, purpose) WHERE revoked_at IS NULL`);
    await db.query(`CREATE INDEX participation_org_live_idx ON participation (organisation_id, case_id) WHERE revoked_at IS NULL`);
    await db.query(`CREATE INDEX participation_consent_idx ON participation (consent_id) WHERE consent_id IS NOT NULL`);

    await db.query(`
      CREATE TABLE break_glass_grant (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES "case"(id),
        user_id uuid NOT NULL REFERENCES "user"(id),
        organisation_id uuid NOT NULL REFERENCES organisation(id),
        justification text NOT NULL CHECK (length(justification) BETWEEN 20 AND 2000),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        reviewed_at timestamptz,
        reviewed_by uuid REFERENCES "user"(id),
        review_note text
      )`);
    await db.query(`CREATE INDEX break_glass_case_user_idx ON break_glass_grant (case_id, user_id, expires_at)`);
    await db.query(`CREATE INDEX break_glass_user_idx ON break_glass_grant (user_id, expires_at)`);
    await db.query(`CREATE INDEX break_glass_unreviewed_idx ON break_glass_grant (created_at) WHERE reviewed_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE break_glass_grant, participation, consent, case_section, "case", case_reference_counter`);
  }
}

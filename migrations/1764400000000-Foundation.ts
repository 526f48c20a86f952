import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1764400000000 implements MigrationInterface {
  name = 'Foundation1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE EXTENSION IF NOT EXISTS citext`);
    await db.query(`
      CREATE TABLE organisation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 64),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        type text NOT NULL CHECK (type IN ('police','prosecution','labour_inspection','reception_centre','migration','oversight','platform')),
        country char(2) CHECK (country IN ('BE','NL','LU')),
        beds_total integer,
        beds_available integer,
        accepts_minors boolean,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT organisation_country_by_type CHECK ((type = 'platform') = (country IS NULL)),
        CONSTRAINT organisation_beds_only_for_centres CHECK (
          (type = 'reception_centre' AND beds_total IS NOT NULL AND beds_available IS NOT NULL AND accepts_minors IS NOT NULL)
          OR (type <> 'reception_centre' AND beds_total IS NULL AND beds_available IS NULL AND accepts_minors IS NULL)),
        -- Never overbooked: the database itself refuses a negative or excess free-bed count.
        CONSTRAINT organisation_beds_in_range CHECK (beds_available BETWEEN 0 AND beds_total)
      )`);
    await db.query(`CREATE INDEX organisation_type_country_idx ON organisation (type, country)`);

    await db.query(`
      CREATE TABLE "user" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisation(id),
        email citext NOT NULL UNIQUE CHECK (length(email) <= 254),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        role text NOT NULL CHECK (role IN ('officer','inspector','prosecutor','caseworker','migration_officer','supervisor','org_admin','platform_admin')),
        language text NOT NULL DEFAULT 'en' CHECK (language IN ('en','nl','fr')),
        password_hash text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX user_organisation_idx ON "user" (organisation_id, role)`);

    // A sign-in session is one refresh-token family; logout or reuse of a dead token revokes it.
    await db.query(`
      CREATE TABLE auth_session (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES "user"(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text CHECK (revoked_reason IN ('logout','reuse','deactivated'))
      )`);
    await db.query(`CREATE INDEX auth_session_user_idx ON auth_session (user_id) WHERE revoked_at IS NULL`);

    // Refresh tokens are stored as SHA-256 hashes only; `used_at` marks a rotated (dead) token.
    await db.query(`
      CREATE TABLE refresh_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES auth_session(id),
        token_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await db.query(`CREATE INDEX refresh_token_session_idx ON refresh_token (session_id)`);

    // Failed sign-ins by normalised e-mail (known or not, so the lockout does not reveal which accounts exist).
    await db.query(`
      CREATE TABLE login_failure (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        email citext NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX login_failure_email_at_idx ON login_failure (email, at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE login_failure, refresh_token, auth_session, "user", organisation`);
  }
}
